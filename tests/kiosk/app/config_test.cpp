// kiosk.toml: defaults, a full file, and every kind of refusal with its file, line and key. A token
// never appears in a message.
#include "kiosk/app/config.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

constexpr const char* kToken = "tok_9f8e7d6c5b4a3210";

std::string error_of(std::string_view text) {
    const auto config = parse_config(text, "kiosk.toml");
    EXPECT_FALSE(config) << "accepted:\n" << text;
    return config ? std::string() : config.error();
}

KioskConfig parsed(std::string_view text) {
    auto config = parse_config(text, "kiosk.toml");
    EXPECT_TRUE(config) << config.error();
    return config ? *config : KioskConfig{};
}

void write_file(const std::string& path, std::string_view contents, mode_t mode = 0600) {
    std::ofstream(path, std::ios::binary) << contents;
    ::chmod(path.c_str(), mode);
}

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
    const KioskConfig config = parsed("");
    EXPECT_EQ(config.backend.kind, BackendKind::pretix);
    EXPECT_EQ(config.backend.url, "");
    EXPECT_EQ(config.backend.token, "");
    EXPECT_TRUE(config.backend.token_file.empty());
    EXPECT_TRUE(config.backend.device_file.empty());
    EXPECT_EQ(config.backend.organizer, "");
    EXPECT_TRUE(config.backend.events.empty());
    EXPECT_TRUE(config.backend.ca_file.empty());
    EXPECT_EQ(config.sync.upload_interval_seconds, 5);
    EXPECT_EQ(config.sync.download_interval_seconds, 60);
    EXPECT_FALSE(config.sync.online);
    EXPECT_EQ(config.sync.online_timeout_ms, 1500);
    EXPECT_EQ(config.sync.connect_timeout_ms, 5000);
    EXPECT_EQ(config.sync.request_timeout_ms, 30000);
    EXPECT_TRUE(config.kiosk.lists.empty());
    EXPECT_EQ(config.kiosk.camera, "auto");
    EXPECT_EQ(config.kiosk.printer, "");
    EXPECT_TRUE(config.kiosk.badge_layout.empty());
    EXPECT_EQ(config.kiosk.languages, std::vector<std::string>{"en"});
    EXPECT_EQ(config.kiosk.default_language, "en");
    EXPECT_EQ(config.kiosk.idle_seconds, 30);
    EXPECT_EQ(config.kiosk.still_there_seconds, 20);
    EXPECT_EQ(config.kiosk.rejection_seconds, 5);
    EXPECT_EQ(config.kiosk.staff_pin_hash, "");
    EXPECT_TRUE(config.kiosk.lookup_enabled);
    EXPECT_TRUE(config.kiosk.manual_entry_enabled);
    EXPECT_FALSE(config.kiosk.preview_badge);
    EXPECT_FALSE(config.kiosk.trust_offline_scans);
    EXPECT_TRUE(config.webhooks.urls.empty());
    EXPECT_EQ(config.webhooks.secret, "");
}

TEST(Config, EmptySectionsAndCommentsGiveDefaultsToo) {
    const KioskConfig config = parsed("# nothing yet\n[backend]\n[sync]\n[kiosk]\n[webhooks]\n");
    EXPECT_EQ(config.sync.upload_interval_seconds, 5);
    EXPECT_EQ(config.kiosk.camera, "auto");
}

TEST(Config, FullFileReadsEveryKey) {
    testing::TempDir dir;
    write_file(dir.file("token"), std::string("  ") + kToken + "\n");
    write_file(dir.file("kiosk.toml"), R"(
[backend]
kind = "oveit"
url = "https://l.oveit.com/api"
token_file = "token"
device_file = "/var/lib/kiosk/device.json"
organizer = "democon"
events = ["democon27", 1234]
ca_file = "certs/ca.pem"

[sync]
upload_interval_seconds = 10
download_interval_seconds = 300
online = true
online_timeout_ms = 800
connect_timeout_ms = 2000
request_timeout_ms = 60000

[kiosk]
lists = [11, 12, 11]
camera = "v4l2:///dev/video2"
printer = "ipp://localhost/printers/badges"
badge_layout = "/etc/kiosk/badge.json"
languages = ["de", "en", "pt-BR"]
default_language = "pt-BR"
idle_seconds = 45
still_there_seconds = 15
rejection_seconds = 8
staff_pin_hash = "$argon2id$v=19$m=65536,t=2,p=1$TgpnySSP/MSJ4ntwoc7wAA$sYZ3A8nvovih2qtKFAsonzIVk1hyDfAXw6FpPE+VeMg"
lookup_enabled = false
manual_entry_enabled = false
preview_badge = true
trust_offline_scans = true

[webhooks]
urls = ["https://hooks.example.org/checkin", "http://127.0.0.1:8080/hook"]
secret = "whsec"
)");
    const auto loaded = load_config(dir.file("kiosk.toml"));
    ASSERT_TRUE(loaded) << loaded.error();
    const KioskConfig& config = *loaded;
    EXPECT_EQ(config.backend.kind, BackendKind::oveit);
    EXPECT_EQ(config.backend.url, "https://l.oveit.com/api");
    EXPECT_EQ(config.backend.token, kToken);   // trimmed
    EXPECT_EQ(config.backend.token_file, dir.path() / "token");
    EXPECT_EQ(config.backend.device_file, "/var/lib/kiosk/device.json");
    EXPECT_EQ(config.backend.organizer, "democon");
    EXPECT_EQ(config.backend.events, (std::vector<std::string>{"democon27", "1234"}));
    EXPECT_EQ(config.backend.ca_file, dir.path() / "certs/ca.pem");   // relative to the file
    EXPECT_EQ(config.sync.upload_interval_seconds, 10);
    EXPECT_EQ(config.sync.download_interval_seconds, 300);
    EXPECT_TRUE(config.sync.online);
    EXPECT_EQ(config.sync.online_timeout_ms, 800);
    EXPECT_EQ(config.sync.connect_timeout_ms, 2000);
    EXPECT_EQ(config.sync.request_timeout_ms, 60000);
    EXPECT_EQ(config.kiosk.lists, (std::vector<int64_t>{11, 12}));
    EXPECT_EQ(config.kiosk.camera, "v4l2:///dev/video2");
    EXPECT_EQ(config.kiosk.printer, "ipp://localhost/printers/badges");
    EXPECT_EQ(config.kiosk.badge_layout, "/etc/kiosk/badge.json");
    EXPECT_EQ(config.kiosk.languages, (std::vector<std::string>{"de", "en", "pt-BR"}));
    EXPECT_EQ(config.kiosk.default_language, "pt-BR");
    EXPECT_EQ(config.kiosk.idle_seconds, 45);
    EXPECT_EQ(config.kiosk.still_there_seconds, 15);
    EXPECT_EQ(config.kiosk.rejection_seconds, 8);
    EXPECT_EQ(config.kiosk.staff_pin_hash, "$argon2id$v=19$m=65536,t=2,p=1$TgpnySSP/MSJ4ntwoc7wAA$sYZ3A8nvovih2qtKFAsonzIVk1hyDfAXw6FpPE+VeMg");
    EXPECT_FALSE(config.kiosk.lookup_enabled);
    EXPECT_FALSE(config.kiosk.manual_entry_enabled);
    EXPECT_TRUE(config.kiosk.preview_badge);
    EXPECT_TRUE(config.kiosk.trust_offline_scans);
    EXPECT_EQ(config.webhooks.urls,
              (std::vector<std::string>{"https://hooks.example.org/checkin", "http://127.0.0.1:8080/hook"}));
    EXPECT_EQ(config.webhooks.secret, "whsec");
}

TEST(Config, EveryBackendKindIsKnownByName) {
    for (BackendKind kind :
         {BackendKind::pretix, BackendKind::constantcontact, BackendKind::oveit, BackendKind::brightstar}) {
        const std::string name(backend_kind_name(kind));
        EXPECT_EQ(backend_kind_from_name(name), kind);
        EXPECT_EQ(parsed("[backend]\nkind = \"" + name + "\"\n").backend.kind, kind);
    }
    EXPECT_EQ(backend_kind_from_name("Pretix"), std::nullopt);
}

TEST(Config, InlineTokenIsKeptAsGiven) {
    EXPECT_EQ(parsed(std::string("[backend]\ntoken = \"") + kToken + "\"\n").backend.token, kToken);
}

TEST(Config, OutOfRangeNumberNamesFileLineAndKey) {
    EXPECT_EQ(error_of("# kiosk\n\n[sync]\nupload_interval_seconds = 0\n"),
              "kiosk.toml:4: sync.upload_interval_seconds: expected a whole number of seconds between 1 and 3600");
    EXPECT_EQ(error_of("[sync]\nupload_interval_seconds = 3601\n"),
              "kiosk.toml:2: sync.upload_interval_seconds: expected a whole number of seconds between 1 and 3600");
    EXPECT_EQ(error_of("[kiosk]\nidle_seconds = -5\n"),
              "kiosk.toml:2: kiosk.idle_seconds: expected a whole number of seconds between 5 and 3600");
    EXPECT_EQ(error_of("[sync]\nrequest_timeout_ms = 9223372036854775807\n"),
              "kiosk.toml:2: sync.request_timeout_ms: expected a whole number of milliseconds between 1000 and 600000");
}

TEST(Config, WrongTypesAreRefusedAndSaySoInWords) {
    EXPECT_EQ(error_of("[sync]\nupload_interval_seconds = \"5\"\n"),
              "kiosk.toml:2: sync.upload_interval_seconds: expected a whole number of seconds between 1 and 3600, "
              "not text in quotes");
    EXPECT_EQ(error_of("[sync]\nupload_interval_seconds = 5.0\n"),
              "kiosk.toml:2: sync.upload_interval_seconds: expected a whole number of seconds between 1 and 3600, "
              "not a number with a fraction");
    EXPECT_EQ(error_of("[sync]\nonline = \"yes\"\n"),
              "kiosk.toml:2: sync.online: expected true or false, not text in quotes");
    EXPECT_EQ(error_of("[kiosk]\ncamera = 0\n"),
              "kiosk.toml:2: kiosk.camera: expected a camera URI in quotes (\"auto\", \"none\", ...), not a whole number");
    EXPECT_EQ(error_of("[kiosk]\ncamera = \"\"\n"),
              "kiosk.toml:2: kiosk.camera: is empty; expected a camera URI in quotes (\"auto\", \"none\", ...), or remove the key");
    EXPECT_EQ(error_of("[kiosk]\nprinter = false\n"),
              "kiosk.toml:2: kiosk.printer: expected a printer URI in quotes, not true or false");
    EXPECT_EQ(error_of("[kiosk]\nlists = 11\n"),
              "kiosk.toml:2: kiosk.lists: expected a list of check-in list ids in [ ], not a whole number");
    EXPECT_EQ(error_of("[kiosk]\nlists = [11,\n  \"12\"]\n"),
              "kiosk.toml:3: kiosk.lists: entry 2: expected a check-in list id (a whole number from 1)");
    EXPECT_EQ(error_of("[backend]\nevents = [\"a\", true]\n"),
              "kiosk.toml:2: backend.events: entry 2: expected an event slug in quotes or a positive event id");
    EXPECT_EQ(error_of("sync = 5\n"), "kiosk.toml:1: sync: expected a section [sync], not a whole number");
    EXPECT_EQ(error_of("[[kiosk]]\ncamera = \"auto\"\n"),
              "kiosk.toml:1: kiosk: expected a section [kiosk], not a list");
}

TEST(Config, UnknownBackendKindSuggestsTheNearestOne) {
    EXPECT_EQ(error_of("[backend]\nkind = \"pretx\"\n"),
              "kiosk.toml:2: backend.kind: unknown backend kind \"pretx\" \u2014 did you mean \"pretix\"?");
    EXPECT_EQ(error_of("[backend]\nkind = \"constant_contact\"\n"),
              "kiosk.toml:2: backend.kind: unknown backend kind \"constant_contact\" \u2014 did you mean \"constantcontact\"?");
    EXPECT_EQ(error_of("[backend]\nkind = \"eventbrite\"\n"),
              "kiosk.toml:2: backend.kind: unknown backend kind \"eventbrite\"; expected pretix, constantcontact, oveit or "
              "brightstar");
}

TEST(Config, UnknownKeysAreRefusedWithALikelyMeaning) {
    EXPECT_EQ(error_of("[sync]\nupload_interval_secs = 5\n"),
              "kiosk.toml:2: unknown key sync.upload_interval_secs \u2014 did you mean sync.upload_interval_seconds?");
    EXPECT_EQ(error_of("[kiosk]\nlangauges = [\"en\"]\n"),
              "kiosk.toml:2: unknown key kiosk.langauges \u2014 did you mean kiosk.languages?");
    EXPECT_EQ(error_of("[kiosk]\nidle = 30\n"),
              "kiosk.toml:2: unknown key kiosk.idle \u2014 did you mean kiosk.idle_seconds?");
    // A key in the wrong section, or outside any section.
    EXPECT_EQ(error_of("[kiosk]\nonline = true\n"),
              "kiosk.toml:2: unknown key kiosk.online \u2014 did you mean sync.online?");
    EXPECT_EQ(error_of("url = \"https://pretix.eu\"\n"),
              "kiosk.toml:1: unknown key url \u2014 did you mean backend.url?");
    // Nothing close: no guess.
    EXPECT_EQ(error_of("[kiosk]\nwallpaper = \"x.png\"\n"), "kiosk.toml:2: unknown key kiosk.wallpaper");
    EXPECT_EQ(error_of("[kiosk.extra]\nx = 1\n"), "kiosk.toml:1: unknown key kiosk.extra");
}

TEST(Config, UnknownSectionsAreRefusedWithALikelyMeaning) {
    EXPECT_EQ(error_of("[syncc]\nonline = true\n"),
              "kiosk.toml:1: unknown section [syncc] \u2014 did you mean [sync]?");
    EXPECT_EQ(error_of("[webhook]\nurls = []\n"),
              "kiosk.toml:1: unknown section [webhook] \u2014 did you mean [webhooks]?");
    EXPECT_EQ(error_of("[database]\npath = \"x\"\n"), "kiosk.toml:1: unknown section [database]");
}

TEST(Config, UrlsMustBeHttpOrHttps) {
    EXPECT_EQ(error_of("[backend]\nurl = \"ftp://pretix.eu\"\n"),
              "kiosk.toml:2: backend.url: expected an http:// or https:// URL");
    EXPECT_EQ(error_of("[backend]\nurl = \"pretix.eu\"\n"),
              "kiosk.toml:2: backend.url: expected an http:// or https:// URL");
    EXPECT_EQ(error_of("[backend]\nurl = \"https://\"\n"),
              "kiosk.toml:2: backend.url: expected a host name after the http(s)://");
    EXPECT_EQ(error_of("[backend]\nurl = \"https://pretix.eu/ api\"\n"),
              "kiosk.toml:2: backend.url: expected a URL without spaces or control characters");
    EXPECT_EQ(error_of("[webhooks]\nurls = [\"https://a.example\", \"mailto:x@example.org\"]\n"),
              "kiosk.toml:2: webhooks.urls: entry 2: expected an http:// or https:// URL");
    const std::string credentials = error_of("[backend]\nurl = \"https://kiosk:hunter2@pretix.eu\"\n");
    EXPECT_NE(credentials.find("without a user name or password"), std::string::npos) << credentials;
    EXPECT_EQ(credentials.find("hunter2"), std::string::npos) << credentials;
    EXPECT_EQ(parsed("[backend]\nurl = \"HTTPS://Pretix.EU/\"\n").backend.url, "HTTPS://Pretix.EU/");
}

TEST(Config, LanguagesAndTheDefaultOneAgree) {
    EXPECT_EQ(parsed("[kiosk]\nlanguages = [\"de\", \"fr\"]\n").kiosk.default_language, "de");
    EXPECT_EQ(parsed("[kiosk]\nlanguages = [\"de\", \"en\"]\n").kiosk.default_language, "en");
    EXPECT_EQ(error_of("[kiosk]\nlanguages = [\"de\", \"fr\"]\ndefault_language = \"en\"\n"),
              "kiosk.toml:3: kiosk.default_language: \"en\" is not one of kiosk.languages");
    EXPECT_EQ(error_of("[kiosk]\nlanguages = []\n"),
              "kiosk.toml:2: kiosk.languages: expected at least one language code");
    EXPECT_EQ(error_of("[kiosk]\nlanguages = [\"en\", \"English\"]\n"),
              "kiosk.toml:2: kiosk.languages: entry 2: expected a language code in quotes, such as \"en\" or \"pt-BR\"");
}

TEST(Config, StaffPinMustBeAHash) {
    EXPECT_EQ(error_of("[kiosk]\nstaff_pin_hash = \"4711\"\n"),
              "kiosk.toml:2: kiosk.staff_pin_hash: looks like a PIN, not its hash; put the output of `kioskctl pin-hash` here");
    EXPECT_EQ(error_of("[kiosk]\nstaff_pin_hash = 4711\n"),
              "kiosk.toml:2: kiosk.staff_pin_hash: looks like a PIN, not its hash; put the output of `kioskctl pin-hash` here");
    EXPECT_EQ(error_of("[kiosk]\nstaff_pin_hash = \"secret\"\n"),
              "kiosk.toml:2: kiosk.staff_pin_hash: is not a PIN hash; put the output of `kioskctl pin-hash` here");
}

TEST(Config, TomlSyntaxErrorNamesTheLine) {
    const std::string error = error_of("[sync]\nonline = true\nupload_interval_seconds = = 5\n");
    EXPECT_TRUE(error.starts_with("kiosk.toml:3: not valid TOML: ")) << error;
    EXPECT_TRUE(error_of("[kiosk\n").starts_with("kiosk.toml:1: not valid TOML: "));
    EXPECT_TRUE(error_of("[sync]\nonline = true\nonline = false\n").starts_with("kiosk.toml:3: not valid TOML: "));
    EXPECT_TRUE(error_of("a = \"\xff\"\n").starts_with("kiosk.toml:1: not valid TOML: "));
}

TEST(Config, SeveralProblemsTellTheFirstAndCountTheRest) {
    EXPECT_EQ(error_of("[sync]\nupload_interval_seconds = 0\n[kiosk]\ncamra = \"auto\"\n[backend]\nkind = \"x\"\n"),
              "kiosk.toml:2: sync.upload_interval_seconds: expected a whole number of seconds between 1 and 3600 "
              "(and 2 more problems)");
}

// [SECTION] Tokens

TEST(Config, TokenIsNeverQuotedInAMessage) {
    const std::string spaced = error_of(std::string("[backend]\ntoken = \"") + kToken + " x\"\n");
    EXPECT_EQ(spaced, "kiosk.toml:2: backend.token: expected the token alone, without spaces");
    // toml++ quotes what it stumbled on; on a token's line we don't pass that on.
    const std::string unquoted = error_of(std::string("[backend]\ntoken = ") + kToken + "\n");
    EXPECT_TRUE(unquoted.starts_with("kiosk.toml:2: not valid TOML: ")) << unquoted;
    EXPECT_EQ(unquoted.find("tok_"), std::string::npos) << unquoted;
    const std::string numeric = error_of("[backend]\ntoken = 123456789012345678901234567890\n");
    EXPECT_EQ(numeric.find("1234567890"), std::string::npos) << numeric;
    const std::string multiline = error_of("[webhooks]\nsecret = \"\"\"\nwhsec_abcdef\n\x01\"\"\"\n");
    EXPECT_EQ(multiline.find("whsec_abcdef"), std::string::npos) << multiline;
    EXPECT_EQ(error_of("[backend]\ntoken = 42\n"),
              "kiosk.toml:2: backend.token: expected the token in quotes, not a whole number");
}

TEST(Config, TokenInlineAndAsFileIsRefused) {
    testing::TempDir dir;
    write_file(dir.file("token"), kToken);
    const std::string error =
        error_of(std::string("[backend]\ntoken = \"") + kToken + "\"\ntoken_file = \"" + dir.file("token") + "\"\n");
    EXPECT_EQ(error, "kiosk.toml:3: backend.token_file: the token is given both inline (backend.token) and as a file; "
                     "keep one of them");
}

TEST(Config, TokenFileMustExist) {
    testing::TempDir dir;
    EXPECT_EQ(error_of("[backend]\ntoken_file = \"" + dir.file("missing") + "\"\n"),
              "kiosk.toml:2: backend.token_file: " + dir.file("missing") + " does not exist");
    EXPECT_EQ(error_of("[backend]\ntoken_file = \"" + dir.path().string() + "\"\n"),
              "kiosk.toml:2: backend.token_file: " + dir.path().string() + " is not a regular file");
}

TEST(Config, TokenFileReadableByOthersIsRefusedWithTheFix) {
    testing::TempDir dir;
    const std::string file = dir.file("token");
    for (mode_t mode : {0644, 0640, 0604, 0620}) {
        write_file(file, kToken, mode);
        const std::string error = error_of("[backend]\ntoken_file = \"" + file + "\"\n");
        const std::string expected = "kiosk.toml:2: backend.token_file: " + file + " is open to other users";
        EXPECT_NE(error.find(expected), std::string::npos) << error;
        EXPECT_NE(error.find("chmod 600 " + file), std::string::npos) << error;
        EXPECT_EQ(error.find(kToken), std::string::npos) << error;
    }
    write_file(file, kToken, 0400);
    EXPECT_EQ(parsed("[backend]\ntoken_file = \"" + file + "\"\n").backend.token, kToken);
}

TEST(Config, TokenFileMustHoldOneToken) {
    testing::TempDir dir;
    const std::string file = dir.file("token");
    write_file(file, " \n\t\n");
    EXPECT_EQ(error_of("[backend]\ntoken_file = \"" + file + "\"\n"),
              "kiosk.toml:2: backend.token_file: " + file + " is empty; expected the token");
    write_file(file, std::string(kToken) + "\nsecond line\n");
    const std::string error = error_of("[backend]\ntoken_file = \"" + file + "\"\n");
    EXPECT_EQ(error, "kiosk.toml:2: backend.token_file: " + file + " holds more than the token (spaces or several lines)");
}

// [SECTION] Files

TEST(Config, LoadConfigNamesAMissingFile) {
    testing::TempDir dir;
    const auto config = load_config(dir.file("kiosk.toml"));
    ASSERT_FALSE(config);
    EXPECT_TRUE(config.error().starts_with(dir.file("kiosk.toml") + ": cannot read the configuration")) << config.error();
}

TEST(Config, LoadConfigNamesThePathInLineErrors) {
    testing::TempDir dir;
    write_file(dir.file("kiosk.toml"), "[sync]\nonline = 1\n");
    const auto config = load_config(dir.file("kiosk.toml"));
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error(), dir.file("kiosk.toml") + ":2: sync.online: expected true or false, not a whole number");
}

// The example file documents every key: uncommented, it must load.
TEST(Config, ExampleFileLoadsWithEveryKeyUncommented) {
    const std::filesystem::path example = std::filesystem::path(KIOSK_SOURCE_DIR) / "docs" / "config.example.toml";
    std::ifstream in(example);
    ASSERT_TRUE(in) << example;
    std::ostringstream uncommented;
    std::size_t keys = 0;
    for (std::string line; std::getline(in, line);) {
        // "# key = value": a commented key (prose lines have no " = " right after one word).
        const std::size_t end = line.starts_with("# ") ? line.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", 2) : 0;
        const bool is_key = end > 2 && end != std::string::npos && line.compare(end, 3, " = ") == 0;
        const std::string key = is_key ? line.substr(2, end - 2) : "";
        if (is_key && key != "token" && key != "token_file") {
            uncommented << line.substr(2) << "\n";
            ++keys;
        } else {
            uncommented << line << "\n";
        }
    }
    EXPECT_EQ(keys, 29u);   // every key but the two ways of giving the token
    EXPECT_TRUE(parse_config(uncommented.str(), "config.example.toml").has_value())
        << parse_config(uncommented.str(), "config.example.toml").error();
    EXPECT_TRUE(load_config(example).has_value());
}

// Bad input is a message, never a crash: every prefix of a full file, and bytes flipped in it.
TEST(Config, TruncatedOrDamagedFilesNeverCrash) {
    const std::string full = "[backend]\nkind = \"pretix\"\nurl = \"https://pretix.eu\"\nevents = [\"a\", 1]\n"
                             "[sync]\nonline = true\nupload_interval_seconds = 7\n"
                             "[kiosk]\nlists = [1, 2]\nlanguages = [\"en\", \"de\"]\ndefault_language = \"de\"\n"
                             "[webhooks]\nurls = [\"https://x.example\"]\nsecret = \"s\"\n";
    for (std::size_t length = 0; length <= full.size(); ++length) {
        const auto config = parse_config(std::string_view(full).substr(0, length), "kiosk.toml");
        if (!config) {
            EXPECT_TRUE(config.error().starts_with("kiosk.toml")) << config.error();
        }
    }
    for (std::size_t at = 0; at < full.size(); ++at) {
        for (char replacement : {'\0', '"', '[', '=', '\n', '\xc3'}) {
            std::string damaged = full;
            damaged[at] = replacement;
            const auto config = parse_config(damaged, "kiosk.toml");
            if (!config) {
                EXPECT_TRUE(config.error().starts_with("kiosk.toml")) << config.error();
            }
        }
    }
}

} // namespace
} // namespace kiosk
