// Search keys and character counts: every script attendees' names come in, emails and order
// codes, mixed text, ill-formed UTF-8, and the properties the store relies on (stable keys,
// the ASCII fast path agreeing with the full path, safe from several threads).
#include "netsync/store/search_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace kiosk {
namespace {

// Encodes one code point (no validation: the callers pass scalar values).
std::string utf8_of(char32_t c) {
    std::string s;
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
}

// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        char32_t c = 0;
        if (b < 0x80) { ++i; continue; }
        if (b >= 0xC2 && b <= 0xDF) { n = 1; c = b & 0x1F; }
        else if (b >= 0xE0 && b <= 0xEF) { n = 2; c = b & 0x0F; }
        else if (b >= 0xF0 && b <= 0xF4) { n = 3; c = b & 0x07; }
        else return false;
        if (i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            const auto t = static_cast<unsigned char>(s[i + k]);
            if ((t & 0xC0) != 0x80) return false;
            c = (c << 6) | (t & 0x3F);
        }
        if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

const std::string replacement = "\xEF\xBF\xBD"; // U+FFFD

// [SECTION] ASCII: names, emails, order codes

TEST(SearchKey, AsciiIsLowerCasedAndOtherwiseKept) {
    EXPECT_EQ(search_key("Ada Lovelace"), "ada lovelace");
    EXPECT_EQ(search_key("ADA LOVELACE"), "ada lovelace");
    EXPECT_EQ(search_key("  O'Brien-Smith, Jr.  "), "  o'brien-smith, jr.  ");
    EXPECT_EQ(search_key("50%_off\\"), "50%_off\\");
}

TEST(SearchKey, EmailsAndOrderCodes) {
    EXPECT_EQ(search_key("Ada.Lovelace+Conf@Example.COM"), "ada.lovelace+conf@example.com");
    EXPECT_EQ(search_key("ABC12"), "abc12");
    EXPECT_EQ(search_key("abc12"), search_key("ABC12"));
    // An internationalized address folds like a name.
    EXPECT_EQ(search_key("Jürgen@Müller.DE"), "jurgen@muller.de");
    // Full-width input from an East Asian keyboard finds the same order.
    EXPECT_EQ(search_key("ＡＢＣ１２"), "abc12");
}

TEST(SearchKey, Empty) {
    EXPECT_EQ(search_key(""), "");
    EXPECT_EQ(search_key(std::string_view()), "");
    // Only ignorables: nothing is left.
    EXPECT_EQ(search_key("\u00AD\u200B"), "");
}

// [SECTION] Latin

TEST(SearchKey, LatinAccentsAndCase) {
    EXPECT_EQ(search_key("Müller"), "muller");
    EXPECT_EQ(search_key("MÜLLER"), "muller");
    EXPECT_EQ(search_key("muller"), "muller");
    EXPECT_EQ(search_key("Mu\u0308ller"), "muller"); // decomposed ü, as some keyboards send it
    EXPECT_EQ(search_key("Ångström"), "angstrom");
    EXPECT_EQ(search_key("A\u030Angstro\u0308m"), "angstrom");
    EXPECT_EQ(search_key("\u212Bngstr\u00F6m"), "angstrom"); // ANGSTROM SIGN
    EXPECT_EQ(search_key("François Lefèvre"), "francois lefevre");
    EXPECT_EQ(search_key("José Ñúñez"), "jose nunez");
    EXPECT_EQ(search_key("Nguyễn Thị Đặng"), "nguyen thi dang");
    EXPECT_EQ(search_key("Dvořák Šťastný"), "dvorak stastny");
    EXPECT_EQ(search_key("Ørsted"), "orsted");
}

TEST(SearchKey, SharpSIsSs) {
    EXPECT_EQ(search_key("Straße"), "strasse");
    EXPECT_EQ(search_key("STRASSE"), "strasse");
    EXPECT_EQ(search_key("STRAẞE"), "strasse"); // capital sharp s
    EXPECT_EQ(search_key("Weiß"), search_key("WEISS"));
}

TEST(SearchKey, LatinLettersWithStrokeAndLigatures) {
    EXPECT_EQ(search_key("Łukasz Wałęsa"), "lukasz walesa");
    EXPECT_EQ(search_key("ŁUKASZ"), search_key("lukasz"));
    EXPECT_EQ(search_key("Søren Kierkegaard"), "soren kierkegaard");
    EXPECT_EQ(search_key("Đorđević"), "dordevic");
    EXPECT_EQ(search_key("Ħal Għargħur"), "hal gharghur");
    EXPECT_EQ(search_key("Işıl Yılmaz"), "isil yilmaz");
    EXPECT_EQ(search_key("İstanbul"), "istanbul"); // not "i" plus a combining dot
    EXPECT_EQ(search_key("Æsa Cœur"), "aesa coeur");
    EXPECT_EQ(search_key("\uFB01ona"), "fiona"); // ﬁ ligature
}

// [SECTION] Cyrillic

TEST(SearchKey, Cyrillic) {
    EXPECT_EQ(search_key("Иванова"), "иванова");
    EXPECT_EQ(search_key("ИВАНОВА"), "иванова");
    EXPECT_EQ(search_key("иванова"), "иванова");
    EXPECT_EQ(search_key("Мария Иванова"), "мария иванова");
    // ё ~ е, as Russian is mostly written
    EXPECT_EQ(search_key("Ёлкин Пётр"), "елкин петр");
    EXPECT_EQ(search_key("Ёлкин"), search_key("Елкин"));
    // Ukrainian ї and й lose their marks like every Cyrillic accent; і stays і, not Latin i.
    EXPECT_EQ(search_key("Їжак"), "іжак");
    EXPECT_EQ(search_key("Андрій"), "андріи");
    EXPECT_NE(search_key("Андрій"), search_key("Andrii"));
}

// [SECTION] Greek

TEST(SearchKey, Greek) {
    EXPECT_EQ(search_key("ΣΩΚΡΑΤΗΣ"), search_key("σωκρατης"));
    EXPECT_EQ(search_key("Σωκράτης"), search_key("σωκρατης"));
    EXPECT_EQ(search_key("σωκρατης"), "σωκρατησ"); // final sigma folds to σ
    EXPECT_EQ(search_key("Άννα"), "αννα");
    EXPECT_EQ(search_key("ΆΝΝΑ"), "αννα");
    EXPECT_EQ(search_key("Ελένη Παπαδοπούλου"), "ελενη παπαδοπουλου");
    EXPECT_EQ(search_key("Ϊΐ"), "ιι"); // dialytika (and tonos) go
}

// [SECTION] Arabic and Hebrew

TEST(SearchKey, ArabicKeepsLettersDropsHarakat) {
    EXPECT_EQ(search_key("محمد"), "محمد");
    EXPECT_EQ(search_key("مُحَمَّد"), "محمد");           // damma, fatha, shadda
    EXPECT_EQ(search_key("محـــمد"), "محمد");            // tatweel
    EXPECT_EQ(search_key("\uFEE3\uFEA4\uFEE4\uFEAA"), "محمد"); // presentation forms
    EXPECT_EQ(search_key("أحمد"), "احمد");               // hamza on alef is a mark too
    EXPECT_EQ(search_key("فاطمة الزهراء"), "فاطمة الزهراء");
}

TEST(SearchKey, HebrewKeepsLettersDropsNiqqud) {
    EXPECT_EQ(search_key("שלום"), "שלום");
    EXPECT_EQ(search_key("שָׁלוֹם"), "שלום");
    EXPECT_EQ(search_key("דוד כהן"), "דוד כהן");
}

// [SECTION] CJK and scripts whose marks are letters

TEST(SearchKey, CjkUnchangedButNormalized) {
    EXPECT_EQ(search_key("王小明"), "王小明");
    EXPECT_EQ(search_key("김민준"), "김민준");
    EXPECT_EQ(search_key("やまだ たろう"), "やまだ たろう");
    EXPECT_EQ(search_key("山田　太郎"), "山田 太郎");    // ideographic space
    EXPECT_EQ(search_key("ｶﾞｸｾｲ"), "ガクセイ");           // half-width katakana and voiced mark
    EXPECT_EQ(search_key("ガ"), "ガ");
    EXPECT_NE(search_key("ガ"), search_key("カ"));         // dakuten is not an accent
    EXPECT_EQ(search_key("\u30AB\u3099"), "ガ");          // decomposed: composed again
    EXPECT_EQ(search_key("\u1100\u1161"), "가");          // conjoining jamo: composed
}

TEST(SearchKey, MarksThatAreLettersStay) {
    EXPECT_EQ(search_key("कुमार"), "कुमार");   // Devanagari vowel sign u
    EXPECT_EQ(search_key("सिंह"), "सिंह");
    EXPECT_EQ(search_key("สมชาย ใจดี"), "สมชาย ใจดี");
    EXPECT_NE(search_key("कुमार"), search_key("कमार"));
}

// [SECTION] Mixed text and invisible characters

TEST(SearchKey, Mixed) {
    EXPECT_EQ(search_key("Dr. Müller-Иванова (王) ΣΟΦΙΑ"), "dr. muller-иванова (王) σοφια");
    EXPECT_EQ(search_key("Zoë 🎉 O’Neill"), "zoe 🎉 o’neill");
    EXPECT_EQ(search_key("Mül\u00ADler"), "muller");           // soft hyphen
    EXPECT_EQ(search_key("Mül\u200Bler"), "muller");           // zero-width space
    EXPECT_EQ(search_key("Anna\u00A0Maria"), "anna maria");   // no-break space
}

TEST(SearchKey, SubstringsOfNamesAreSubstringsOfKeys) {
    const std::string name = search_key("Ångström-Müller Ωμέγα");
    for (const char* part : {"Ångs", "MÜLL", "ström", "ΩΜΕΓΑ", "mull"})
        EXPECT_NE(name.find(search_key(part)), std::string::npos) << part;
}

// [SECTION] Ill-formed UTF-8

TEST(SearchKey, IllFormedSequencesBecomeReplacementCharacters) {
    EXPECT_EQ(search_key("M\xFCller"), "m" + replacement + "ller"); // Latin-1, not UTF-8
    EXPECT_EQ(search_key("M\xC3\xBC\xC3"), "mu" + replacement);      // truncated at the end
    EXPECT_EQ(search_key("\x80" "Abc"), replacement + "abc");           // stray continuation byte
    EXPECT_EQ(search_key("\xC0\xAF"), replacement + replacement);    // overlong "/"
    EXPECT_EQ(search_key("\xED\xA0\x80X"), replacement + replacement + replacement + "x"); // surrogate
    EXPECT_EQ(search_key("\xF5\xFF"), replacement + replacement);
    EXPECT_EQ(search_key("\xE2\x82"), replacement);                  // one maximal subpart
    EXPECT_NE(search_key("M\xFCller"), search_key("Müller"));
}

TEST(SearchKey, RandomBytesGiveValidStableKeys) {
    std::mt19937 random(20240504);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 24);
    for (int round = 0; round < 20000; ++round) {
        std::string bytes(static_cast<size_t>(length(random)), '\0');
        for (char& c : bytes) c = static_cast<char>(byte(random));
        std::string key;
        ASSERT_NO_THROW(key = search_key(bytes));
        ASSERT_TRUE(valid_utf8(key)) << round;
        ASSERT_EQ(search_key(key), key) << round;
        ASSERT_NO_THROW(character_count(bytes));
    }
}

TEST(SearchKey, ControlCharactersBecomeSpaces) {
    EXPECT_EQ(search_key(std::string_view("A\0B\tC\r\nD\x7F" "E", 10)), "a b c  d e");
    EXPECT_EQ(search_key(std::string_view("Ä\0B\u0085C", 7)), "a b c");
    EXPECT_EQ(search_key("\n\u0301E"), " e"); // a mark after a control has no letter to stay on
}

// [SECTION] Properties the store relies on

TEST(SearchKey, StableForEveryCodePoint) {
    for (char32_t c = 0; c <= 0x10FFFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        const std::string key = search_key(utf8_of(c));
        ASSERT_TRUE(valid_utf8(key)) << std::hex << static_cast<uint32_t>(c);
        ASSERT_EQ(search_key(key), key) << std::hex << static_cast<uint32_t>(c);
    }
}

TEST(SearchKey, AsciiFastPathAgreesWithFullPath) {
    // A non-ASCII suffix sends the same ASCII character through ICU.
    for (int b = 0; b < 0x80; ++b) {
        const std::string ascii(1, static_cast<char>(b));
        EXPECT_EQ(search_key(ascii + "É"), search_key(ascii) + "e") << b;
    }
}

TEST(SearchKey, SameKeysFromSeveralThreads) {
    const std::vector<std::string> names = {"Müller", "ΣΩΚΡΑΤΗΣ", "Иванова", "مُحَمَّد", "ｶﾞｸｾｲ", "Łukasz",
                                            "Straße", "M\xFCller", "王小明", "कुमार"};
    std::vector<std::string> expected;
    std::vector<size_t> expected_counts;
    for (const std::string& name : names) {
        expected.push_back(search_key(name));
        expected_counts.push_back(character_count(name));
    }
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < mismatches.size(); ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 2000; ++round)
                for (size_t i = 0; i < names.size(); ++i) {
                    if (search_key(names[i]) != expected[i]) ++mismatches[t];
                    if (character_count(names[i]) != expected_counts[i]) ++mismatches[t];
                }
        });
    for (std::thread& thread : threads) thread.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}

// [SECTION] character_count

TEST(CharacterCount, AsciiAndEmpty) {
    EXPECT_EQ(character_count(""), 0u);
    EXPECT_EQ(character_count("Ada"), 3u);
    EXPECT_EQ(character_count("ABC12"), 5u);
    EXPECT_EQ(character_count("a b "), 4u);
    EXPECT_EQ(character_count("a\r\nb"), 3u); // CR LF is one
}

TEST(CharacterCount, CharactersNotBytes) {
    EXPECT_EQ(character_count("Mül"), 3u);
    EXPECT_EQ(character_count("Mu\u0308l"), 3u); // decomposed: still 3 for the reader
    EXPECT_EQ(character_count("Иван"), 4u);
    EXPECT_EQ(character_count("Σωκ"), 3u);
    EXPECT_EQ(character_count("王小明"), 3u);
    EXPECT_EQ(character_count("김민준"), 3u);
    EXPECT_EQ(character_count("\u1100\u1161"), 1u);  // conjoining jamo: one syllable
    EXPECT_EQ(character_count("محمد"), 4u);
    EXPECT_EQ(character_count("मुकेश"), 3u);         // मु, के, श
    EXPECT_EQ(character_count("🇩🇪"), 1u);              // a flag
    EXPECT_EQ(character_count("👨‍👩‍👧"), 1u);              // a family (ZWJ sequence)
    EXPECT_EQ(character_count("ß"), 1u);
    EXPECT_EQ(character_count(search_key("ß")), 2u);
}

TEST(CharacterCount, IllFormedCountsAsReplacementCharacters) {
    EXPECT_EQ(character_count("\xFF\xFE"), 2u);
    EXPECT_EQ(character_count("M\xFCller"), 6u);
    EXPECT_EQ(character_count("ab\xE2\x82"), 3u);
}

} // namespace
} // namespace kiosk
