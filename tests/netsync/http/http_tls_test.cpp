// TLS is verified by default: a self-signed server is refused, and accepted only when its
// certificate is given as the CA file and names the host we asked for. Certificates are made by the
// openssl CLI at test time.
#include "netsync/http/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/netsync/http/http_test_options.h"
#include "tests/support/http_tls_test_server.h"
#include "tests/support/temp_dir.h"

namespace kiosk::http {
namespace {

using ::testing::HasSubstr;
using kiosk::testing::HttpTlsTestServer;
using kiosk::testing::TempDir;

class HttpTlsTest : public ::testing::Test {
protected:
    TempDir directory;
    ClientOptions options = testing::loopback_options();
};

TEST_F(HttpTlsTest, ASelfSignedServerIsRefusedByDefault) {
    HttpTlsTestServer server(directory.path(), "IP:127.0.0.1,DNS:localhost");
    const auto response = Client(options).send(Request::get(server.url("/")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::tls);
    EXPECT_EQ(response.error().message, "The kiosk did not trust the certificate of 127.0.0.1 and sent nothing; "
                                        "check the kiosk's date and time, the server address.");
    EXPECT_THAT(response.error().detail, HasSubstr("self-signed"));
    EXPECT_EQ(response.error().attempts, 1) << "a certificate does not become trusted by asking again";
}

TEST_F(HttpTlsTest, ASelfSignedServerIsAcceptedWithItsCertificateAsTheCaFile) {
    HttpTlsTestServer server(directory.path(), "IP:127.0.0.1,DNS:localhost");
    options.ca_file = server.certificate_file();
    const auto response = Client(options).send(Request::get(server.url("/")));
    ASSERT_TRUE(response) << response.error().message << " / " << response.error().detail;
    EXPECT_EQ(response->status, 200);
}

TEST_F(HttpTlsTest, ATrustedCertificateForAnotherNameIsRefused) {
    HttpTlsTestServer server(directory.path(), "DNS:pretix.example");
    options.ca_file = server.certificate_file();
    const auto response = Client(options).send(Request::get(server.url("/")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::tls);
    EXPECT_THAT(response.error().message, HasSubstr("did not trust the certificate of 127.0.0.1"));
    EXPECT_THAT(response.error().message, HasSubstr("the CA file in the settings"));
}

TEST_F(HttpTlsTest, AnUnreadableCaFileIsATlsErrorInWords) {
    HttpTlsTestServer server(directory.path(), "IP:127.0.0.1");
    options.ca_file = directory.file("missing.pem");
    const auto response = Client(options).send(Request::get(server.url("/")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::tls);
    EXPECT_THAT(response.error().message, HasSubstr("could not read the CA file"));
}

TEST_F(HttpTlsTest, PlainHttpToATlsPortIsNotReadAsAnAnswer) {
    HttpTlsTestServer server(directory.path(), "IP:127.0.0.1");
    std::string url = server.url("/");
    url.replace(0, 5, "http");                        // https:// -> http://
    options.retry.max_attempts = 1;
    const auto response = Client(options).send(Request::get(url));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::connect) << "the TLS server hangs up on plain text";
    EXPECT_THAT(response.error().message, HasSubstr("127.0.0.1"));
}

} // namespace
} // namespace kiosk::http
