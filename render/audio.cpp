#include "render/audio.h"

#include <SDL.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <numbers>
#include <optional>
#include <thread>
#include <vector>

namespace kiosk::render {

namespace {

// espeak-ng speaks at 22050 Hz, 16-bit mono; the device is opened in that format so speech needs
// no resampling (SDL converts to what the hardware wants).
constexpr int kRate = 22050;

using Samples = std::vector<int16_t>;

// A tone with a soft attack and an exponential decay: bell-like, and no clicks at the ends.
void tone(Samples& out, double hz, double ms, double amplitude, double decay_per_s = 6.0, double odd_harmonic = 0.0) {
    const int count = static_cast<int>(kRate * ms / 1000.0);
    const int attack = kRate / 200;         // 5 ms
    const int release = kRate / 100;        // 10 ms
    for (int i = 0; i < count; ++i) {
        const double t = static_cast<double>(i) / kRate;
        double envelope = std::exp(-decay_per_s * t);
        if (i < attack) envelope *= static_cast<double>(i) / attack;
        if (count - i < release) envelope *= static_cast<double>(count - i) / release;
        const double phase = 2 * std::numbers::pi * hz * t;
        const double wave = std::sin(phase) + odd_harmonic * std::sin(3 * phase);
        out.push_back(static_cast<int16_t>(std::clamp(wave * envelope * amplitude * 32767.0, -32767.0, 32767.0)));
    }
}

void silence(Samples& out, double ms) { out.insert(out.end(), static_cast<size_t>(kRate * ms / 1000.0), 0); }

Samples make_cue(Cue cue) {
    Samples out;
    switch (cue) {
    case Cue::read:                         // one short high blip
        tone(out, 1760, 70, 0.35, 10);
        break;
    case Cue::admitted:                     // rising fifth, ringing out: good news
        tone(out, 659.3, 140, 0.35, 4);
        tone(out, 987.8, 380, 0.35, 5);
        break;
    case Cue::attention:                    // three quick alternating beeps, brighter timbre
        for (int i = 0; i < 3; ++i) {
            tone(out, i % 2 == 0 ? 1174.7 : 880.0, 90, 0.30, 2, 0.25);
            silence(out, 45);
        }
        break;
    case Cue::rejected:                     // low descending two notes, buzzy: not a chime
        tone(out, 392.0, 180, 0.32, 2, 0.35);
        silence(out, 30);
        tone(out, 261.6, 320, 0.32, 3, 0.35);
        break;
    }
    return out;
}

// espeak-ng is a process-wide engine: one initialization, one synthesis at a time, one callback
// for everybody (routed by the user_data of each utterance).
std::mutex g_espeak_mutex;
int g_espeak_rate = 0;                      // 0: not tried yet; < 0: failed

using SynthCallback = int (*)(short*, int, espeak_EVENT*);

bool espeak_ready(SynthCallback callback) {
    if (g_espeak_rate == 0) {
        // DONT_EXIT: without it espeak-ng ends the process when its data is missing.
        g_espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, nullptr, espeakINITIALIZE_DONT_EXIT);
        if (g_espeak_rate <= 0) {
            g_espeak_rate = -1;
            std::fprintf(stderr, "render: espeak-ng did not start (is espeak-ng-data installed?); speech is off\n");
        } else {
            espeak_SetSynthCallback(callback);
            if (g_espeak_rate != kRate) std::fprintf(stderr, "render: espeak-ng speaks at %d Hz, played as %d Hz\n", g_espeak_rate, kRate);
        }
    }
    return g_espeak_rate > 0;
}

bool select_voice(const std::string& language) {
    espeak_VOICE wanted{};
    wanted.languages = language.c_str();
    return espeak_SetVoiceByProperties(&wanted) == EE_OK;
}

} // namespace

std::string espeak_voice_for(std::string_view language) {
    std::string tag;
    for (const char c : language) {
        if (c == '_') tag += '-';
        else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-') tag += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (tag.empty()) return "en";
    if (tag == "zh-hk" || tag == "zh-yue" || tag == "yue") return "yue";
    if (tag == "zh" || tag.starts_with("zh-")) return "cmn";    // Mandarin for simplified and traditional
    if (tag == "no" || tag.starts_with("no-")) return "nb";
    if (tag == "iw") return "he";
    return tag;
}

struct Audio::Impl {
    SDL_AudioDeviceID device = 0;
    bool sdl_audio = false;
    std::array<Samples, 4> cues;

    // Mixed by SDL's audio thread.
    std::mutex mix_mutex;
    const Samples* cue = nullptr;
    size_t cue_at = 0;
    Samples speech;
    size_t speech_at = 0;

    // The synthesis thread and what it is asked.
    struct Request {
        std::string text, language;
        uint64_t generation;
    };
    std::mutex request_mutex;
    std::condition_variable wake;
    std::optional<Request> request;
    bool stopping = false;
    std::atomic<uint64_t> generation{0};
    bool busy = false;                      // the worker is synthesizing (under request_mutex)
    std::atomic<int64_t> synthesized{0};
    std::thread worker;

    ~Impl() {
        {
            std::lock_guard lock(request_mutex);
            stopping = true;
            ++generation;                   // aborts an utterance in progress
        }
        wake.notify_all();
        if (worker.joinable()) worker.join();
        if (device != 0) SDL_CloseAudioDevice(device);
        if (sdl_audio) SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }

    static void mix(void* user, Uint8* stream, int length) {
        auto& impl = *static_cast<Impl*>(user);
        auto* out = reinterpret_cast<int16_t*>(stream);
        const size_t count = static_cast<size_t>(length) / sizeof(int16_t);
        std::lock_guard lock(impl.mix_mutex);
        for (size_t i = 0; i < count; ++i) {
            int sum = 0;
            if (impl.cue != nullptr) {
                sum += (*impl.cue)[impl.cue_at++];
                if (impl.cue_at >= impl.cue->size()) impl.cue = nullptr;
            }
            if (impl.speech_at < impl.speech.size()) sum += impl.speech[impl.speech_at++];
            out[i] = static_cast<int16_t>(std::clamp(sum, -32767, 32767));
        }
        if (impl.speech_at > 0 && impl.speech_at == impl.speech.size()) {
            impl.speech.clear();
            impl.speech_at = 0;
        }
    }

    void run() {
        for (;;) {
            Request next;
            {
                std::unique_lock lock(request_mutex);
                wake.wait(lock, [&] { return stopping || request.has_value(); });
                if (stopping) return;
                next = std::move(*request);
                request.reset();
                busy = true;
            }
            speak(next);
            std::lock_guard lock(request_mutex);
            busy = false;
        }
    }

    struct SpeechContext {
        Impl* impl;
        uint64_t generation;
    };

    static int on_speech(short* wav, int count, espeak_EVENT* events) {
        if (events == nullptr || events->user_data == nullptr) return 0;
        const auto* context = static_cast<const SpeechContext*>(events->user_data);
        return context->impl->take(wav, count, context->generation) ? 0 : 1;
    }

    void speak(const Request& next) {
        std::lock_guard engine(g_espeak_mutex);
        if (next.generation != generation.load() || !espeak_ready(&Impl::on_speech)) return;
        const std::string voice = espeak_voice_for(next.language);
        if (!select_voice(voice) && !select_voice(voice.substr(0, voice.find('-')))) select_voice("en");
        SpeechContext context{this, next.generation};
        espeak_Synth(next.text.c_str(), next.text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &context);
    }

    // From espeak's synthesis (this Audio's worker thread). Returns 1 to abort.
    bool take(const short* wav, int count, uint64_t of_generation) {
        if (of_generation != generation.load()) return false;
        if (wav == nullptr || count <= 0) return true;
        synthesized += count;
        if (device != 0) {
            std::lock_guard lock(mix_mutex);
            if (of_generation == generation.load()) speech.insert(speech.end(), wav, wav + count);
        }
        return true;
    }
};

Audio::Audio(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Audio::~Audio() = default;

std::unique_ptr<Audio> Audio::open() {
    auto impl = std::make_unique<Impl>();
    for (const Cue cue : {Cue::read, Cue::admitted, Cue::attention, Cue::rejected}) impl->cues[static_cast<size_t>(cue)] = make_cue(cue);

    if (SDL_InitSubSystem(SDL_INIT_AUDIO) == 0) {
        impl->sdl_audio = true;
        SDL_AudioSpec want{};
        want.freq = kRate;
        want.format = AUDIO_S16SYS;
        want.channels = 1;
        want.samples = 512;                 // ~23 ms: a cue starts promptly
        want.callback = &Impl::mix;
        want.userdata = impl.get();
        SDL_AudioSpec have{};
        impl->device = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
        if (impl->device != 0) SDL_PauseAudioDevice(impl->device, 0);
    }
    if (impl->device == 0)
        std::fprintf(stderr, "render: no audio device (%s); cues and speech are silent\n", SDL_GetError());
    impl->worker = std::thread([raw = impl.get()] { raw->run(); });
    return std::unique_ptr<Audio>(new Audio(std::move(impl)));
}

void Audio::play(Cue cue) {
    if (impl_->device == 0) return;
    std::lock_guard lock(impl_->mix_mutex);
    impl_->cue = &impl_->cues[static_cast<size_t>(cue)];
    impl_->cue_at = 0;
}

void Audio::say(std::string text, std::string language) {
    {
        std::lock_guard lock(impl_->request_mutex);
        const uint64_t generation = ++impl_->generation;
        impl_->synthesized = 0;
        impl_->request = Impl::Request{std::move(text), std::move(language), generation};
    }
    {
        std::lock_guard lock(impl_->mix_mutex);
        impl_->speech.clear();
        impl_->speech_at = 0;
    }
    impl_->wake.notify_one();
}

void Audio::stop_speech() {
    {
        std::lock_guard lock(impl_->request_mutex);
        ++impl_->generation;
        impl_->request.reset();
    }
    std::lock_guard lock(impl_->mix_mutex);
    impl_->speech.clear();
    impl_->speech_at = 0;
}

bool Audio::speaking() const {
    {
        std::lock_guard lock(impl_->request_mutex);
        if (impl_->request.has_value() || impl_->busy) return true;
    }
    std::lock_guard lock(impl_->mix_mutex);
    return impl_->speech_at < impl_->speech.size();
}

int64_t Audio::speech_samples_synthesized() const { return impl_->synthesized.load(); }

bool Audio::has_device() const { return impl_->device != 0; }

} // namespace kiosk::render
