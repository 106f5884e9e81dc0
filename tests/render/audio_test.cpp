// Sound on SDL's dummy driver (no hardware): cues play without blocking, espeak-ng synthesizes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "render/audio.h"

namespace kiosk::render {
namespace {

using namespace std::chrono_literals;

bool wait_until(auto done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

class AudioTest : public ::testing::Test {
protected:
    void SetUp() override { ::setenv("SDL_AUDIODRIVER", "dummy", 1); }
};

TEST_F(AudioTest, SpeaksEnglish) {
    auto audio = Audio::open();
    ASSERT_NE(audio, nullptr);
    EXPECT_TRUE(audio->has_device());
    const auto start = std::chrono::steady_clock::now();
    audio->say("Hello", "en");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);   // say() only posts
    EXPECT_TRUE(audio->speaking());
    EXPECT_TRUE(wait_until([&] { return audio->speech_samples_synthesized() > 0; }, 5000ms));
    // "Hello" is about half a second of speech at 22050 Hz.
    EXPECT_TRUE(wait_until([&] { return audio->speech_samples_synthesized() > 5000; }, 5000ms));
}

TEST_F(AudioTest, OtherLanguagesAndUnknownOnes) {
    auto audio = Audio::open();
    for (const auto& [text, language] : {std::pair{"Guten Tag", "de"}, {"你好", "zh"}, {"مرحبا", "ar"}, {"Hello", "xx-unknown"}}) {
        audio->say(text, language);
        EXPECT_TRUE(wait_until([&] { return audio->speech_samples_synthesized() > 0 && !audio->speaking(); }, 8000ms)) << language;
    }
}

TEST_F(AudioTest, NewSayInterruptsAndStopSilences) {
    auto audio = Audio::open();
    audio->say("This is a long sentence that takes several seconds to speak, on and on and on.", "en");
    audio->say("Short.", "en");
    ASSERT_TRUE(wait_until([&] { return audio->speech_samples_synthesized() > 0; }, 5000ms));
    audio->stop_speech();
    EXPECT_TRUE(wait_until([&] { return !audio->speaking(); }, 2000ms));
}

TEST_F(AudioTest, CuesNeverBlock) {
    auto audio = Audio::open();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i)
        for (const Cue cue : {Cue::read, Cue::admitted, Cue::attention, Cue::rejected}) audio->play(cue);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
}

TEST_F(AudioTest, WithoutADeviceItIsSilentButWorks) {
    ::setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
    auto audio = Audio::open();
    ASSERT_NE(audio, nullptr);
    EXPECT_FALSE(audio->has_device());
    audio->play(Cue::admitted);
    audio->say("Hello", "en");
    EXPECT_TRUE(wait_until([&] { return audio->speech_samples_synthesized() > 0; }, 5000ms));
}

TEST(EspeakVoice, LanguageCodes) {
    EXPECT_EQ(espeak_voice_for("en"), "en");
    EXPECT_EQ(espeak_voice_for("de"), "de");
    EXPECT_EQ(espeak_voice_for("zh"), "cmn");
    EXPECT_EQ(espeak_voice_for("zh_TW"), "cmn");
    EXPECT_EQ(espeak_voice_for("zh-HK"), "yue");
    EXPECT_EQ(espeak_voice_for("pt-BR"), "pt-br");
    EXPECT_EQ(espeak_voice_for("no"), "nb");
    EXPECT_EQ(espeak_voice_for(""), "en");
    EXPECT_EQ(espeak_voice_for("../../etc"), "etc");   // nothing but letters, digits and dashes
}

} // namespace
} // namespace kiosk::render
