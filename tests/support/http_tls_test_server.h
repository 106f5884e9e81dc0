// An HTTPS server on loopback for TLS tests: `openssl s_server -www` (which answers any GET with a
// 200 status page) with a self-signed certificate made at test time, so no key is ever checked in.
//
// Thread rule: one test thread owns it. The destructor kills the server (SIGKILL) and reaps it.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "tests/support/subprocess.h"

namespace kiosk::testing {

class HttpTlsTestServer {
public:
    // Writes key.pem and cert.pem into `directory` for a certificate whose subjectAltName is
    // `alt_names` ("IP:127.0.0.1,DNS:localhost" to be valid for the URL this server gives), then
    // serves it on a port the kernel picks.
    HttpTlsTestServer(const std::filesystem::path& directory, const std::string& alt_names)
        : certificate_((directory / "cert.pem").string()) {
        const std::string key = (directory / "key.pem").string();
        const ProcessResult made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
                                                certificate_, "-days", "2", "-subj", "/CN=kiosk test server",
                                                "-addext", "subjectAltName=" + alt_names});
        if (made.exit_code() != 0) throw std::runtime_error("openssl req failed: " + made.err);

        // s_server prints "ACCEPT 127.0.0.1:<port>" once it listens; its output goes to a file so
        // that it can be read while the server runs.
        const std::string log = (directory / "s_server.log").string();
        process_.emplace(start_process({"sh", "-c", "exec openssl s_server -accept 127.0.0.1:0 -cert \"$1\" -key \"$2\" -www >\"$3\" 2>&1",
                                        "sh", certificate_, key, log}));
        constexpr std::string_view accept_line = "ACCEPT 127.0.0.1:";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (port_ == 0) {
            std::ifstream file(log);
            std::stringstream text;
            text << file.rdbuf();
            const std::string contents = text.str();
            if (const size_t at = contents.find(accept_line); at != std::string::npos && contents.find('\n', at) != std::string::npos)
                port_ = std::stoi(contents.substr(at + accept_line.size()));
            else if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("openssl s_server did not start: " + contents);
            else std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    std::string url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }
    const std::string& certificate_file() const { return certificate_; }

private:
    std::string certificate_;
    int port_ = 0;
    std::optional<RunningProcess> process_;
};

} // namespace kiosk::testing
