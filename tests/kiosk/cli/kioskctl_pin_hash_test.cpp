// kioskctl pin-hash: a PIN on stdin, its hash as JSON on stdout (exit 0); a bad PIN is exit 2 with
// one line on stderr. The hash must verify with the app layer, which is what the kiosk will do
// with it once it is in the config.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiosk/app/staff_pin.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

class KioskctlPinHash : public ::testing::Test {
protected:
    testing::ProcessResult pin_hash(std::string input) {
        return testing::run_process({KIOSKCTL_PATH, "--db", dir.file("kiosk.db"), "pin-hash"}, std::move(input));
    }
    testing::TempDir dir;
};

TEST_F(KioskctlPinHash, PrintsAHashThatVerifies) {
    for (const char* input : {"4711\n", "4711\r\n", "4711"}) {
        SCOPED_TRACE(input);
        const auto result = pin_hash(input);
        ASSERT_EQ(result.exit_code(), 0) << result.err;
        EXPECT_TRUE(result.err.empty()) << result.err;
        ASSERT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
        const auto answer = nlohmann::json::parse(result.out);
        ASSERT_TRUE(answer.contains("hash"));
        const std::string hash = answer["hash"];
        EXPECT_TRUE(looks_like_pin_hash(hash)) << hash;
        EXPECT_TRUE(verify_staff_pin(hash, "4711"));
        EXPECT_FALSE(verify_staff_pin(hash, "4712"));
    }
    // Hashing needs no store: none is created.
    EXPECT_FALSE(std::filesystem::exists(dir.file("kiosk.db")));
}

TEST_F(KioskctlPinHash, ABadPinIsAUsageErrorInOneLine) {
    for (const char* input : {"", "\n", "123\n", "12345678901234\n", "12ab\n", " 1234\n", "1234 \n"}) {
        SCOPED_TRACE(input);
        const auto result = pin_hash(input);
        EXPECT_EQ(result.exit_code(), 2);
        EXPECT_TRUE(result.out.empty()) << result.out;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_NE(result.err.find("4 to 12 digits"), std::string::npos) << result.err;
        const std::string pin = std::string(input).substr(0, std::string(input).find('\n'));
        if (pin.size() >= 3) {
            EXPECT_EQ(result.err.find(pin), std::string::npos) << "the PIN is never echoed";
        }
    }
}

} // namespace
} // namespace kiosk
