// Translations: PO parsing (escapes, context, plurals, fuzzy), the language fallback chain, the
// Plural-Forms evaluator against the rules of languages with 1, 2, 3 and 6 forms, clear errors for
// broken files, and the shipped catalogs held to their template (every string translated, the same
// printf placeholders in the same order).
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiosk/app/translations.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

const std::filesystem::path kI18n = std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "i18n";

std::string po_with(std::string_view plural_forms, std::string_view body) {
    return "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Plural-Forms: " +
           std::string(plural_forms) + "\\n\"\n\n" + std::string(body);
}

Catalog parse_ok(std::string_view text, std::string_view name = "de.po") {
    auto catalog = Catalog::parse_po(text, name);
    EXPECT_TRUE(catalog.has_value()) << catalog.error();
    return catalog ? std::move(*catalog) : Catalog();
}

std::string parse_error(std::string_view text, std::string_view name = "bad.po") {
    const auto catalog = Catalog::parse_po(text, name);
    EXPECT_FALSE(catalog.has_value()) << "accepted:\n" << text;
    return catalog ? std::string() : catalog.error();
}

TEST(Translations, ParsesEntriesContextsContinuationsAndEscapes) {
    const Catalog de = parse_ok(po_with("nplurals=2; plural=(n != 1);",
                                        "# translator comment\n"
                                        "#. extracted comment\n"
                                        "#: kiosk/ui/attract.cpp:12\n"
                                        "msgid \"Welcome\"\n"
                                        "msgstr \"Willkommen\"\n"
                                        "\n"
                                        "msgctxt \"keyboard\"\n"
                                        "msgid \"Space\"\n"
                                        "msgstr \"Leertaste\"\n"
                                        "\n"
                                        "msgid \"Space\"\n"
                                        "msgstr \"Platz\"\n"
                                        "\n"
                                        "msgid \"\"\n"
                                        "\"Show your ticket \"\n"
                                        "\"to the camera\"\n"
                                        "msgstr \"\"\n"
                                        "\"Zeigen Sie Ihr Ticket \"\n"
                                        "\"der Kamera\"\n"
                                        "\n"
                                        "msgid \"Line\\none \\\"quoted\\\" \\\\ tab\\t.\"\n"
                                        "msgstr \"Zeile\\neins \\\"zitiert\\\" \\\\ Tab\\t.\"\n"));
    EXPECT_EQ(de.language(), "de");
    EXPECT_EQ(de.size(), 5u);
    EXPECT_EQ(de.translate("Welcome"), "Willkommen");
    EXPECT_EQ(de.translate("Space"), "Platz");
    EXPECT_EQ(de.translate("keyboard", "Space"), "Leertaste");
    EXPECT_EQ(de.translate("other context", "Space"), "Space");
    EXPECT_EQ(de.translate("Show your ticket to the camera"), "Zeigen Sie Ihr Ticket der Kamera");
    EXPECT_EQ(de.translate("Line\none \"quoted\" \\ tab\t."), "Zeile\neins \"zitiert\" \\ Tab\t.");
    EXPECT_EQ(de.translate("Not in the file"), "Not in the file");
}

TEST(Translations, FuzzyEmptyAndObsoleteEntriesShowTheEnglishText) {
    const Catalog de = parse_ok(po_with("nplurals=2; plural=(n != 1);",
                                        "#, fuzzy\n"
                                        "#| msgid \"Back!\"\n"
                                        "msgid \"Back\"\n"
                                        "msgstr \"Rückwärts\"\n"
                                        "\n"
                                        "#, c-format, fuzzy\n"
                                        "msgid \"Welcome, %s!\"\n"
                                        "msgstr \"Hallo %s\"\n"
                                        "\n"
                                        "msgid \"Next\"\n"
                                        "msgstr \"\"\n"
                                        "\n"
                                        "#, c-format\n"
                                        "msgid \"Question %d of %d\"\n"
                                        "msgstr \"Frage %d von %d\"\n"
                                        "\n"
                                        "#~ msgid \"Old\"\n"
                                        "#~ msgstr \"Alt\"\n"));
    EXPECT_EQ(de.translate("Back"), "Back");
    EXPECT_EQ(de.translate("Welcome, %s!"), "Welcome, %s!");
    EXPECT_EQ(de.translate("Next"), "Next");
    EXPECT_EQ(de.translate("Old"), "Old");
    EXPECT_EQ(de.translate("Question %d of %d"), "Frage %d von %d");
    EXPECT_EQ(de.size(), 1u);
    EXPECT_EQ(de.strings(), std::vector<std::string>{"Frage %d von %d"});
}

TEST(Translations, LanguageComesFromTheFileNameElseTheHeader) {
    EXPECT_EQ(parse_ok("msgid \"\"\nmsgstr \"Language: fr\\n\"\n", "pt_BR.po").language(), "pt-br");
    EXPECT_EQ(parse_ok("msgid \"\"\nmsgstr \"Language: pt_BR\\n\"\n", "messages.po").language(), "pt-br");
    EXPECT_EQ(parse_ok("msgid \"x\"\nmsgstr \"y\"\n", "messages.po").language(), "");
    EXPECT_EQ(Catalog().language(), "en");
}

struct PluralCase {
    int64_t n;
    int form;
};

void expect_forms(const char* language, std::string_view plural_forms, int nplurals, std::vector<PluralCase> cases) {
    SCOPED_TRACE(language);
    const Catalog catalog = parse_ok(po_with(plural_forms, ""), std::string(language) + ".po");
    EXPECT_EQ(catalog.plural_count(), nplurals);
    for (const auto& [n, form] : cases) EXPECT_EQ(catalog.plural_index(n), form) << "n = " << n;
}

TEST(Translations, PluralFormsOfGermanFrenchSpanishArabicRussianChinese) {
    expect_forms("de", "nplurals=2; plural=(n != 1);", 2, {{0, 1}, {1, 0}, {2, 1}, {101, 1}});
    expect_forms("es", "nplurals=2; plural=(n != 1);", 2, {{0, 1}, {1, 0}, {5, 1}});
    expect_forms("fr", "nplurals=2; plural=(n > 1);", 2, {{0, 0}, {1, 0}, {2, 1}, {1000, 1}});
    expect_forms("ar",
                 "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);", 6,
                 {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {10, 3}, {11, 4}, {99, 4}, {100, 5}, {102, 5}, {103, 3}, {111, 4}, {1000, 5}});
    expect_forms("ru",
                 "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);", 3,
                 {{0, 2}, {1, 0}, {2, 1}, {4, 1}, {5, 2}, {11, 2}, {12, 2}, {14, 2}, {21, 0}, {22, 1}, {25, 2}, {111, 2},
                  {121, 0}, {1000001, 0}});
    expect_forms("zh", "nplurals=1; plural=0;", 1, {{0, 0}, {1, 0}, {2, 0}, {100, 0}});
    // Operators gettext's grammar has beyond what the common rules use.
    expect_forms("xx", "nplurals=3; plural=!(n - 1) ? 0 : (n * 2 / 4 + 1) % 3 == 2 ? 1 : 2;", 3,
                 {{1, 0}, {2, 1}, {3, 1}, {4, 2}});
}

TEST(Translations, PluralPicksTheFormAndFallsBackToEnglish) {
    const Catalog ru = parse_ok(po_with("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
                                        "msgid \"%d ticket\"\n"
                                        "msgid_plural \"%d tickets\"\n"
                                        "msgstr[0] \"%d билет\"\n"
                                        "msgstr[1] \"%d билета\"\n"
                                        "msgstr[2] \"%d билетов\"\n"
                                        "\n"
                                        "msgid \"%d seat\"\n"
                                        "msgid_plural \"%d seats\"\n"
                                        "msgstr[0] \"%d место\"\n"
                                        "msgstr[1] \"\"\n"
                                        "msgstr[2] \"%d мест\"\n"),
                                "ru.po");
    EXPECT_EQ(ru.plural("%d ticket", "%d tickets", 1), "%d билет");
    EXPECT_EQ(ru.plural("%d ticket", "%d tickets", 3), "%d билета");
    EXPECT_EQ(ru.plural("%d ticket", "%d tickets", 5), "%d билетов");
    EXPECT_EQ(ru.plural("%d ticket", "%d tickets", 21), "%d билет");
    EXPECT_EQ(ru.plural("%d seat", "%d seats", 2), "%d seats");   // that form is empty
    EXPECT_EQ(ru.plural("%d day", "%d days", 1), "%d day");
    EXPECT_EQ(ru.plural("%d day", "%d days", 7), "%d days");
    const Catalog english;
    EXPECT_EQ(english.plural("%d ticket", "%d tickets", 0), "%d tickets");
    EXPECT_EQ(english.plural("%d ticket", "%d tickets", 1), "%d ticket");
    EXPECT_EQ(english.plural("%d ticket", "%d tickets", -1), "%d ticket");
}

TEST(Translations, BrokenFilesAreRefusedWithFileAndLine) {
    const std::string header = "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n";  // 3 lines
    const struct {
        std::string text;
        std::string starts;
        std::string mentions;
    } cases[] = {
        {header + "msgid \"Back\"\nmsgstr \"Zurück\n", "bad.po:5:", "closing double quote"},
        {header + "msgid \"Back\"\n", "bad.po:4:", "without a msgstr"},
        {"msgstr \"Zurück\"\n", "bad.po:1:", "without a msgid"},
        {header + "msgstr \"Zurück\"\n", "bad.po:4:", "second msgstr"},
        {header + "msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n", "bad.po:5:", "no msgstr"},
        {header + "msgid \"Back\"\nmsgstr \"Zur\\qück\"\n", "bad.po:5:", "unknown escape"},
        {header + "msgid \"Back\"\nmsgstr Zurück\n", "bad.po:5:", "double quotes"},
        {header + "msgid \"Back\"\nmsgstr \"Zurück\" x\n", "bad.po:5:", "after the closing"},
        {header + "msgid \"Back\"\nmsgstr \"a\"\nmsgstr \"b\"\n", "bad.po:6:", "second msgstr"},
        {header + "msgid \"Back\"\nmsgstr \"a\"\n\nmsgid \"Back\"\nmsgstr \"b\"\n", "bad.po:7:", "first on line 4"},
        {header + "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"x\"\n", "bad.po:6:", "msgstr[0]"},
        {header + "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"x\"\n", "bad.po:6:", "out of order"},
        {header + "msgid \"a\"\nmsgstr[0] \"x\"\n", "bad.po:5:", "msgid_plural"},
        {header + "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"x\"\n", "bad.po:4:", "nplurals=2"},
        {"\"stray\"\n", "bad.po:1:", "belongs to no"},
        {header + "msgfoo \"x\"\n", "bad.po:4:", "unknown keyword"},
        {header + "hello\n", "bad.po:4:", "expected msgctxt"},
        {header + "msgid\"a\"\nmsgstr[0\"b\"\n", "bad.po:5:", "without its ]"},
        {header + "msgid \"a\"\nmsgctxt \"c\"\nmsgstr \"x\"\n", "bad.po:5:", "before its msgid"},
        {header + "msgid \"a\"\nmsgstr \"\\xff\"\n", "bad.po:4:", "UTF-8"},
        {header + "msgid \"\"\nmsgstr \"x\"\n", "bad.po:4:", "second header"},
        {"msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n", "bad.po:1:", "UTF-8"},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n;\\n\"\n", "bad.po:1:", "form 2 for n = 2"},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=0; plural=0;\\n\"\n", "bad.po:1:", "nplurals"},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1;\\n\"\n", "bad.po:1:", "without its \")\""},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n ? 1;\\n\"\n", "bad.po:1:", "\":\""},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=x;\\n\"\n", "bad.po:1:", "unexpected \"x"},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2;\\n\"\n", "bad.po:1:", "nplurals=N; plural="},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=" + std::string(500, '(') + "n" + std::string(500, ')') + ";\\n\"\n",
         "bad.po:1:", "nested too deeply"},
        {"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=0" + [] {
             std::string chain;
             for (int i = 0; i < 2000; ++i) chain += "+0";
             return chain;
         }() + ";\\n\"\n",
         "bad.po:1:", "too long"},
    };
    for (const auto& [text, starts, mentions] : cases) {
        SCOPED_TRACE(text);
        const std::string error = parse_error(text);
        EXPECT_TRUE(error.starts_with(starts)) << error;
        EXPECT_NE(error.find(mentions), std::string::npos) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    }
}

TEST(Translations, ParsesGettextsOtherEscapesAndByteOrderMark) {
    const Catalog de = parse_ok("\xEF\xBB\xBFmsgid \"a\\101\\x42\\r\"\nmsgstr \"ok\\a\\b\\f\\v\\?\\'\"\n");
    EXPECT_EQ(de.translate("aAB\r"), "ok\a\b\f\v?'");
}

// Truncated, spliced and random text must give a value or a one-line error, never a crash (the
// sanitizer build turns a stray read into a failure here).
TEST(Translations, GarbageNeverCrashes) {
    std::ifstream in(kI18n / "de.po", std::ios::binary);
    const std::string valid((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(valid.size(), 1000u);
    std::mt19937 random(20271603);
    const auto check = [](const std::string& text) {
        const auto catalog = Catalog::parse_po(text, "fuzz.po");
        if (!catalog) {
            EXPECT_TRUE(catalog.error().starts_with("fuzz.po")) << catalog.error();
            EXPECT_EQ(catalog.error().find('\n'), std::string::npos);
        }
    };
    for (size_t cut = 0; cut < valid.size(); cut += 7) check(valid.substr(0, cut));
    for (int round = 0; round < 2000; ++round) {
        std::string text = valid;
        const int edits = 1 + static_cast<int>(random() % 8);
        for (int i = 0; i < edits; ++i) {
            const size_t at = random() % text.size();
            switch (random() % 3) {
            case 0: text[at] = static_cast<char>(random() % 256); break;
            case 1: text.erase(at, random() % 20); break;
            default: text.insert(at, std::string(1 + random() % 4, "\"\\n#[]%\n\x04"[random() % 10])); break;
            }
        }
        check(text);
    }
    for (int round = 0; round < 500; ++round) {
        std::string text(random() % 300, '\0');
        for (char& c : text) c = "msgidstr_plural[0]\"\\ \n#,fuzzy"[random() % 30];
        check(text);
    }
}

class TranslationsFolder : public ::testing::Test {
protected:
    void write(const std::string& name, const std::string& text) { std::ofstream(dir.file(name)) << text; }
    testing::TempDir dir;
};

TEST_F(TranslationsFolder, FallsBackFromRegionToLanguageToEnglish) {
    write("de.po", po_with("nplurals=2; plural=(n != 1);", "msgid \"Back\"\nmsgstr \"Zurück\"\n"));
    write("de_AT.po", po_with("nplurals=2; plural=(n != 1);", "msgid \"Back\"\nmsgstr \"Retour (AT)\"\n"));
    write("fr.po", po_with("nplurals=2; plural=(n > 1);", "msgid \"Back\"\nmsgstr \"Retour\"\n"));
    write("kiosk.pot", "garbage that is never read");
    write("notes.txt", "not a catalog");
    const auto translations = Translations::load_folder(dir.path());
    ASSERT_TRUE(translations) << translations.error();
    EXPECT_EQ(translations->languages(), (std::vector<std::string>{"en", "de", "de-at", "fr"}));
    EXPECT_EQ(translations->catalog("de").translate("Back"), "Zurück");
    EXPECT_EQ(translations->catalog("de-CH").translate("Back"), "Zurück");
    EXPECT_EQ(translations->catalog("de_AT").translate("Back"), "Retour (AT)");
    EXPECT_EQ(translations->catalog("FR").translate("Back"), "Retour");
    EXPECT_EQ(translations->catalog("ja").translate("Back"), "Back");
    EXPECT_EQ(translations->catalog("").translate("Back"), "Back");
    EXPECT_EQ(translations->catalog("ja").language(), "en");
    const auto strings = translations->all_strings();
    for (const char* expected : {"Zurück", "Retour", "Retour (AT)", "Deutsch", "Français", "English"})
        EXPECT_NE(std::find(strings.begin(), strings.end(), expected), strings.end()) << expected;
}

TEST_F(TranslationsFolder, EnglishNeedsNoCatalogAndAnEnPoIsUsed) {
    auto empty = Translations::load_folder(dir.path());
    ASSERT_TRUE(empty) << empty.error();
    EXPECT_EQ(empty->languages(), std::vector<std::string>{"en"});
    EXPECT_EQ(empty->catalog("en").translate("Back"), "Back");
    write("en.po", "msgid \"Back\"\nmsgstr \"Go back\"\n");
    auto with_en = Translations::load_folder(dir.path());
    ASSERT_TRUE(with_en) << with_en.error();
    EXPECT_EQ(with_en->catalog("en-GB").translate("Back"), "Go back");
}

TEST(Translations, ADefaultConstructedSetIsEnglish) {
    const Translations none;
    EXPECT_EQ(none.catalog("de").translate("Back"), "Back");
    EXPECT_EQ(none.catalog("de").language(), "en");
    EXPECT_EQ(none.languages(), std::vector<std::string>{"en"});
}

TEST_F(TranslationsFolder, ABadCatalogOrAMissingFolderIsAnError) {
    EXPECT_FALSE(Translations::load_folder(dir.path() / "missing"));
    write("de.po", "msgid \"Back\"\n");
    const auto broken = Translations::load_folder(dir.path());
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().find("de.po:1:"), std::string::npos) << broken.error();
    std::filesystem::remove(dir.file("de.po"));
    write("messages.po", "msgid \"Back\"\nmsgstr \"Zurück\"\n");
    const auto nameless = Translations::load_folder(dir.path());
    ASSERT_FALSE(nameless);
    EXPECT_NE(nameless.error().find("cannot tell its language"), std::string::npos) << nameless.error();
}

TEST(Translations, NativeNames) {
    EXPECT_EQ(Translations::native_name("en"), "English");
    EXPECT_EQ(Translations::native_name("de"), "Deutsch");
    EXPECT_EQ(Translations::native_name("de-AT"), "Deutsch");
    EXPECT_EQ(Translations::native_name("fr"), "Français");
    EXPECT_EQ(Translations::native_name("es"), "Español");
    EXPECT_EQ(Translations::native_name("pt_BR"), "Português (Brasil)");
    EXPECT_EQ(Translations::native_name("ar"), "العربية");
    EXPECT_EQ(Translations::native_name("zh"), "中文");
    EXPECT_EQ(Translations::native_name("ja"), "日本語");
    EXPECT_EQ(Translations::native_name("uk"), "Українська");
    for (const char* code : {"he", "ru", "pl", "tr", "el", "pt", "it", "nl", "ko"})
        EXPECT_NE(Translations::native_name(code), code) << code;
    EXPECT_EQ(Translations::native_name("tlh"), "tlh");
}

TEST(Translations, LocalizedTextOfPretixI18nDicts) {
    using nlohmann::json;
    const json name = {{"en", "Workshop"}, {"de-informal", "Werkstatt (du)"}, {"de", "Werkstatt"}, {"fr", ""}};
    EXPECT_EQ(localized_text(name, "de"), "Werkstatt");
    EXPECT_EQ(localized_text(name, "de-AT"), "Werkstatt");
    EXPECT_EQ(localized_text(name, "de-informal"), "Werkstatt (du)");
    EXPECT_EQ(localized_text(name, "fr"), "Workshop");              // empty counts as missing
    EXPECT_EQ(localized_text(name, ""), "Workshop");
    EXPECT_EQ(localized_text(json{{"de-informal", "Hallo du"}, {"en", "Hello"}}, "de"), "Hallo du");
    EXPECT_EQ(localized_text(json{{"pt-BR", "Olá"}, {"en", "Hello"}}, "pt-br"), "Olá");
    EXPECT_EQ(localized_text(json{{"nl", ""}, {"it", "Ciao"}}, "ja"), "Ciao");
    EXPECT_EQ(localized_text(json("Plain"), "de"), "Plain");
    EXPECT_EQ(localized_text(json(nullptr), "de"), "");
    EXPECT_EQ(localized_text(json(42), "de"), "");
    EXPECT_EQ(localized_text(json::object(), "de"), "");
}

// --- The shipped catalogs ---------------------------------------------------------------------------

// The printf conversions of a text in order ("%s", "%d", "%1$s"); "%%" is a literal percent.
std::vector<std::string> placeholders(std::string_view text) {
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') continue;
        size_t end = i + 1;
        while (end < text.size() && std::string_view("0123456789$-+ #.lhjztL").find(text[end]) != std::string_view::npos) ++end;
        if (end >= text.size()) break;
        if (text[end] != '%') out.emplace_back(text.substr(i, end - i + 1));
        i = end;
    }
    return out;
}

TEST(ShippedTranslations, EveryStringIsTranslatedWithTheSamePlaceholders) {
    const auto template_catalog = Catalog::load(kI18n / "kiosk.pot");
    ASSERT_TRUE(template_catalog) << template_catalog.error();
    const auto msgids = template_catalog->entries();
    ASSERT_GE(msgids.size(), 90u);
    const auto translations = Translations::load_folder(kI18n);
    ASSERT_TRUE(translations) << translations.error();
    for (const char* language : {"de", "fr", "es"}) {
        const Catalog& catalog = translations->catalog(language);
        ASSERT_EQ(catalog.language(), language);
        std::map<std::string, Catalog::Entry> by_key;
        for (auto& entry : catalog.entries()) by_key[entry.context + '\x04' + entry.msgid] = entry;
        for (const auto& wanted : msgids) {
            SCOPED_TRACE(std::string(language) + ": msgid \"" + wanted.msgid + "\"");
            const auto it = by_key.find(wanted.context + '\x04' + wanted.msgid);
            ASSERT_NE(it, by_key.end()) << "missing or fuzzy: run scripts/update-translations.sh and translate it";
            const auto expected = placeholders(wanted.msgid);
            const auto expected_plural = placeholders(wanted.msgid_plural);
            for (const std::string& text : it->second.msgstr) {
                EXPECT_FALSE(text.empty()) << "untranslated";
                const auto got = placeholders(text);
                EXPECT_TRUE(got == expected || (!wanted.msgid_plural.empty() && got == expected_plural))
                    << "\"" << text << "\" must have the msgid's placeholders in the same order";
            }
        }
    }
}

TEST(ShippedTranslations, CatalogsHaveProperHeadersAndPassMsgfmt) {
    for (const char* language : {"de", "fr", "es"}) {
        SCOPED_TRACE(language);
        const auto path = kI18n / (std::string(language) + ".po");
        std::ifstream in(path);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_NE(text.find("\"Language: " + std::string(language) + "\\n\""), std::string::npos);
        EXPECT_NE(text.find("\"Content-Type: text/plain; charset=UTF-8\\n\""), std::string::npos);
        EXPECT_NE(text.find("\"Plural-Forms: nplurals="), std::string::npos);
        // gettext's own checker agrees (c-format placeholders, header); skipped where it is missing.
        try {
            const auto result = testing::run_process({"msgfmt", "--check", "-o", "/dev/null", path.string()});
            EXPECT_EQ(result.exit_code(), 0) << result.err;
        } catch (const std::system_error&) {
            GTEST_SKIP() << "msgfmt is not installed";
        }
    }
}

// The template is what update-translations.sh merges into every catalog, so the shipped catalogs
// must come through msgmerge with every translation still in place.
TEST(ShippedTranslations, CatalogsSurviveMsgmerge) {
    testing::TempDir dir;
    const auto translations = Translations::load_folder(kI18n);
    ASSERT_TRUE(translations) << translations.error();
    for (const char* language : {"de", "fr", "es"}) {
        SCOPED_TRACE(language);
        const std::string copy = dir.file(std::string(language) + ".po");
        std::filesystem::copy_file(kI18n / (std::string(language) + ".po"), copy);
        try {
            const auto result = testing::run_process(
                {"msgmerge", "--quiet", "--update", "--backup=none", copy, (kI18n / "kiosk.pot").string()});
            ASSERT_EQ(result.exit_code(), 0) << result.err;
        } catch (const std::system_error&) {
            GTEST_SKIP() << "msgmerge is not installed";
        }
        const auto merged = Catalog::load(copy);
        ASSERT_TRUE(merged) << merged.error();
        const Catalog& shipped = translations->catalog(language);
        EXPECT_EQ(merged->size(), shipped.size());
        for (const auto& entry : shipped.entries()) EXPECT_EQ(merged->translate(entry.msgid), shipped.translate(entry.msgid));
    }
}

} // namespace
} // namespace kiosk
