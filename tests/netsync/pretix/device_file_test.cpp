// The device credentials file: private to the kiosk's user, replaced whole, read back strictly.
#include "netsync/pretix/device_file.h"

#include <sys/stat.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace kiosk::pretix {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

DeviceCredentials example() {
    DeviceCredentials credentials;
    credentials.url = "https://pretix.example";
    credentials.organizer = "demo";
    credentials.device_id = 42;
    credentials.unique_serial = "KHXNDW9YGDJK3UGU";
    credentials.api_token = "ketnt7ir4ass3rv710r51aovr2pys0ln4l2eeaka18afhtwsxlq6rw9rrf5qto73";
    credentials.name = "Kiosk North";
    credentials.gate = "North";
    return credentials;
}

mode_t mode_of(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) throw std::system_error(errno, std::generic_category(), "stat");
    return info.st_mode & 07777;
}

// Restores the test process's umask however the test ends.
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
    ~ScopedUmask() { ::umask(previous_); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t previous_;
};

class DeviceFileTest : public ::testing::Test {
protected:
    void write(const std::string& text) { std::ofstream(path) << text; }
    std::string load_error() {
        const auto loaded = load_device_credentials(path);
        EXPECT_FALSE(loaded);
        return loaded ? std::string() : loaded.error();
    }

    kiosk::testing::TempDir dir;
    std::filesystem::path path = dir.path() / "device.json";
};

TEST_F(DeviceFileTest, RoundTrip) {
    ASSERT_TRUE(save_device_credentials(path, example()));
    const auto loaded = load_device_credentials(path);
    ASSERT_TRUE(loaded) << loaded.error();
    ASSERT_TRUE(loaded->has_value());
    const DeviceCredentials& back = **loaded;
    EXPECT_EQ(back.url, "https://pretix.example");
    EXPECT_EQ(back.organizer, "demo");
    EXPECT_EQ(back.device_id, 42);
    EXPECT_EQ(back.unique_serial, "KHXNDW9YGDJK3UGU");
    EXPECT_EQ(back.api_token, example().api_token);
    EXPECT_EQ(back.name, "Kiosk North");
    EXPECT_EQ(back.gate, "North");

    DeviceCredentials no_gate = example();
    no_gate.gate.reset();
    ASSERT_TRUE(save_device_credentials(path, no_gate));
    EXPECT_FALSE(load_device_credentials(path).value()->gate.has_value());
}

TEST_F(DeviceFileTest, MissingFileMeansNotSetUp) {
    const auto loaded = load_device_credentials(path);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_FALSE(loaded->has_value());
}

TEST_F(DeviceFileTest, OnlyTheOwnerMayReadItWhateverTheUmask) {
    {
        const ScopedUmask open_umask(0);
        ASSERT_TRUE(save_device_credentials(path, example()));
    }
    EXPECT_EQ(mode_of(path), 0600u);
    {
        const ScopedUmask owner_write_masked(0277);   // open() alone would make it read-only
        ASSERT_TRUE(save_device_credentials(path, example()));
    }
    EXPECT_EQ(mode_of(path), 0600u);
}

TEST_F(DeviceFileTest, SaveReplacesAFileOthersCouldRead) {
    write("{}");
    std::filesystem::permissions(path, std::filesystem::perms(0644));
    ASSERT_TRUE(save_device_credentials(path, example()));
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(load_device_credentials(path).value()->device_id, 42);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()), 1)
        << "no temporary file left behind";
}

TEST_F(DeviceFileTest, ReadableByOthersIsStillLoaded) {
    ASSERT_TRUE(save_device_credentials(path, example()));
    std::filesystem::permissions(path, std::filesystem::perms(0644));
    const auto loaded = load_device_credentials(path);
    ASSERT_TRUE(loaded && loaded->has_value());
}

TEST_F(DeviceFileTest, MalformedFileIsAnErrorInWordsWithoutTheToken) {
    write(R"({"url": "https://pretix.example", "organizer": "demo", "device_id": 4)");
    EXPECT_THAT(load_error(), HasSubstr("device.json: not valid JSON"));

    write("[]");
    EXPECT_THAT(load_error(), HasSubstr("not a JSON object"));

    const std::string token = example().api_token;
    write(R"({"url": "https://pretix.example", "organizer": "demo", "device_id": ")" + token + R"(", "api_token": ")" + token + R"("})");
    const std::string error = load_error();
    EXPECT_THAT(error, HasSubstr("device_id"));
    EXPECT_THAT(error, HasSubstr("set the kiosk up again"));
    EXPECT_THAT(error, Not(HasSubstr(token)));

    write(R"({"url": "https://pretix.example", "organizer": "demo", "device_id": 4})");
    EXPECT_THAT(load_error(), HasSubstr("api_token is missing"));
}

TEST_F(DeviceFileTest, UnwritableFolderIsAnErrorInWords) {
    const std::filesystem::path nowhere = dir.path() / "missing" / "device.json";
    const auto saved = save_device_credentials(nowhere, example());
    ASSERT_FALSE(saved);
    EXPECT_THAT(saved.error(), HasSubstr(nowhere.parent_path().string()));
    EXPECT_THAT(saved.error(), HasSubstr("No such file or directory"));
}

TEST_F(DeviceFileTest, UnreadableFileIsAnError) {
    std::filesystem::create_directory(path);   // a folder where the file should be
    EXPECT_THAT(load_error(), HasSubstr(path.string()));
}

} // namespace
} // namespace kiosk::pretix
