// Sound: four synthesized cues and spoken text (espeak-ng), mixed into one SDL audio device.
//
// Index of this file:
// [SECTION] Cues
// [SECTION] Audio
//
// Thread rule: an Audio's methods may be called from any thread, and none of them blocks: cues
// are precomputed, speech is synthesized on the Audio's own thread, and SDL's audio thread only
// mixes what is ready.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kiosk::render {

//-----------------------------------------------------------------------------
// [SECTION] Cues
//-----------------------------------------------------------------------------

enum class Cue {
    read,                                   // short high blip: the camera read a code
    admitted,                               // rising two-note chime
    attention,                              // three quick alternating beeps: staff, look here
    rejected,                               // low descending two notes
};

//-----------------------------------------------------------------------------
// [SECTION] Audio
//-----------------------------------------------------------------------------
// open() never fails: without an audio device (CI, SDL_AUDIODRIVER=dummy works too) it logs one
// line to stderr and plays nothing, while speech is still synthesized (and discarded), so the
// rest behaves the same. A cue restarts a cue already playing; speech mixes over cues.
//
// say() speaks UTF-8 text in a language given as a BCP-47-ish code ("en", "de", "pt-BR", "zh"...);
// an unknown one speaks with the English voice. A new say() interrupts the current one, as does
// stop_speech(). espeak-ng is one engine per process: Audio objects share it, one utterance at a
// time, and it stays loaded until the process ends.

class Audio {
public:
    static std::unique_ptr<Audio> open();   // never fails: a silent Audio when no device
    ~Audio();
    Audio(const Audio&) = delete;
    Audio& operator=(const Audio&) = delete;

    void play(Cue cue);
    void say(std::string text, std::string language);
    void stop_speech();
    bool speaking() const;                  // synthesizing or still playing speech
    int64_t speech_samples_synthesized() const;   // of the latest say(); for tests: > 0 once it synthesized
    bool has_device() const;
    struct Impl;

private:
    explicit Audio(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// espeak-ng's voice for a language code: "zh" -> "cmn", "pt-BR" -> "pt-br", unknown -> "en".
std::string espeak_voice_for(std::string_view language);

} // namespace kiosk::render
