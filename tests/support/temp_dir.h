// A fresh directory per test, removed afterwards (KIOSK_KEEP_TEST_DIRS=1 keeps it for a post-mortem).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace kiosk::testing {

class TempDir {
public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() / ("kiosk-test-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        if (std::getenv("KIOSK_KEEP_TEST_DIRS") == nullptr) {
            std::error_code ignored;
            std::filesystem::remove_all(path_, ignored);
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

} // namespace kiosk::testing
