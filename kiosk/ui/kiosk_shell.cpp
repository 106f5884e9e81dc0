// [SECTION] Set-up (configuration, the demo store, workers)
// [SECTION] Input: keys, the keyboard wedge, the staff corner
// [SECTION] One frame
// [SECTION] Commands and worker events
#include "kiosk/ui/kiosk_shell.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include <imgui.h>

#include "kiosk/app/app.h"
#include "kiosk/app/backend_sync.h"
#include "kiosk/app/flow.h"
#include "kiosk/app/flow_worker.h"
#include "kiosk/app/local_time_format.h"
#include "kiosk/app/print_queue.h"
#include "kiosk/app/state_log.h"
#include "kiosk/app/sync_settings.h"
#include "kiosk/app/translations.h"
#include "kiosk/core/time.h"
#include "kiosk/ui/chrome.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/status_poller.h"
#include "netsync/webhooks/webhook_sender.h"
#include "render/audio.h"
#include "render/theme.h"
#include "render/window.h"
#include "vision/frame_source.h"
#include "vision/keyboard_wedge.h"
#include "vision/pipeline.h"

#ifndef KIOSK_ASSETS_DIR
#define KIOSK_ASSETS_DIR "assets"
#endif

namespace kiosk::ui {

namespace {

std::atomic<bool> g_terminate{false};
extern "C" void on_terminate_signal(int) { g_terminate = true; }

// The demo's staff PIN is 1234 (told on stderr at start); its hash is fixed so the demo starts
// without spending argon2's time.
constexpr const char* kDemoPinHash =
    "$argon2id$v=19$m=65536,t=2,p=1$TgpnySSP/MSJ4ntwoc7wAA$sYZ3A8nvovih2qtKFAsonzIVk1hyDfAXw6FpPE+VeMg";
constexpr double kLargeTextScale = 1.4;
// Typed keys reach a field once typing pauses this long: longer than the one stall a scanner's
// burst may have inside it (WedgeOptions::max_stall), so a scan never leaks into a field.
constexpr auto kTypingPause = std::chrono::milliseconds(160);
constexpr auto kFrameBudget = std::chrono::microseconds(16'666);   // 60 Hz when the display gives no vsync

std::filesystem::path assets_dir() {
    if (const char* env = std::getenv("KIOSK_ASSETS")) return env;
    return KIOSK_ASSETS_DIR;
}

render::Cue cue_of(flow::Cue cue) {
    switch (cue) {
    case flow::Cue::read: return render::Cue::read;
    case flow::Cue::admitted: return render::Cue::admitted;
    case flow::Cue::attention: return render::Cue::attention;
    case flow::Cue::rejected: return render::Cue::rejected;
    }
    return render::Cue::read;
}

struct FrameTimes {                         // --benchmark-json: where a frame's CPU goes
    std::vector<double> frame_cpu_ms;       // UI thread CPU from input to the end of our drawing (before GL)
    std::vector<double> present_ms;         // UI thread CPU in ImGui's render, GL (llvmpipe: rasterizing) and swap
    std::vector<double> scan_to_screen_ms;  // capture of the frame with the code -> first frame showing the verdict
    std::vector<double> capture_to_ui_ms;   // ... of which: capture -> the decoder's event drained by the UI
    std::vector<double> decision_ms;        // ... the flow worker's App::scan (durable commit included)
    std::vector<double> answer_to_present_ms;  // ... the verdict drained -> presented
    double ready_ms = 0;
};

// CPU time of the calling thread: a frame's cost without the time another process had the core.
double thread_cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

} // namespace

struct KioskShell::Impl {
    KioskCommandLine line;
    KioskConfig config;
    std::string db_path;
    std::filesystem::path temp_dir;         // --demo without --db: removed at exit
    std::chrono::steady_clock::time_point started;

    StateLog log;
    Translations translations;
    std::vector<std::pair<std::string, std::string>> language_names;
    std::unique_ptr<render::Window> window;
    std::unique_ptr<render::Audio> audio;
    std::unique_ptr<flow::Flow> flow;
    std::unique_ptr<FlowWorker> worker;
    std::unique_ptr<PrintQueue> print_queue;
    std::shared_ptr<BackgroundSync> background_sync;   // shared with the flow worker; null: no backend
    std::unique_ptr<webhooks::WebhookSender> webhook_sender;   // null: no [webhooks] urls
    std::unique_ptr<StatusPoller> poller;
    std::unique_ptr<ScanPipeline> camera;
    std::string camera_error;               // could not open: told to staff
    KeyboardWedge wedge;

    // UI state that is not the flow's: focus, textures, the wedge's held keys, the staff corner.
    FocusChain focus;
    render::Texture camera_texture, photo_texture, badge_texture;
    int64_t camera_frame_index = -1;
    std::optional<Image> last_camera_frame;
    std::optional<std::array<ImVec2, 4>> code_outline;
    std::chrono::steady_clock::time_point code_seen{};
    std::string held_text;                  // typed keys not yet given to the flow (may be a scan)
    std::chrono::steady_clock::time_point held_last{};
    std::chrono::steady_clock::time_point corner_down{};
    bool corner_fired = false;
    bool large_text = false;
    bool ready_logged = false;
    std::chrono::steady_clock::time_point ready_at{};
    flow::Screen last_screen = flow::Screen::attract;
    size_t last_page = 0;
    std::string last_focus;
    std::string last_controls;              // --log-controls: what was logged last
    std::shared_ptr<const StoreSnapshot> snapshot;
    size_t glyph_generation = 0;
    StatusBoard status;
    flow::DeviceHealth health;
    std::string store_fault;
    std::chrono::steady_clock::time_point camera_trouble_since{};
    std::vector<std::string> spoken;
    // Scan-to-screen, in stages: the frame's capture, the decoder's event reaching the UI, the
    // worker's verdict reaching the UI, the first frame presented with it.
    struct ScanTiming {
        std::chrono::steady_clock::time_point captured, seen, answered;
        double decode_ms = 0;
    };
    std::optional<ScanTiming> pending_verdict;
    FrameTimes times;

    Outcome<void> set_up();
    Outcome<void> prepare_demo_store();
    void start_workers();
    void start_sync();
    int run();

    void handle_keys(const render::FrameInput& input);
    void flush_held_text(std::chrono::steady_clock::time_point now, bool force);
    void watch_staff_corner(const UiContext& ui);
    void pump_workers();
    void update_camera();
    void update_health(std::chrono::steady_clock::time_point now);
    void update_status();
    void draw_frame(std::chrono::steady_clock::time_point now);
    void run_commands();
    void handle_shell_control(const std::string& control);
    void read_aloud(bool focused_only);
    void log_changes();
    void log_controls();
    void write_benchmark() const;
};

// [SECTION] Set-up (configuration, the demo store, workers)

Outcome<void> KioskShell::Impl::prepare_demo_store() {
    if (db_path.empty()) {
        char pattern[] = "/tmp/kiosk-demo-XXXXXX";
        if (!mkdtemp(pattern)) return std::unexpected("cannot make a temporary folder for the demo store");
        temp_dir = pattern;
        db_path = (temp_dir / "demo.db").string();
    }
    App app(db_path);
    if (app.lists().empty()) {
        const auto imported = app.import_pretix_directory(assets_dir() / "demo", "demo");
        if (!imported) return std::unexpected("the demo event could not be loaded: " + imported.error());
    }
    if (config.kiosk.printer.empty()) {
        const std::filesystem::path badges = (temp_dir.empty() ? std::filesystem::path(db_path).parent_path() : temp_dir) / "badges";
        std::filesystem::create_directories(badges);
        config.kiosk.printer = "file:" + badges.string();
        std::fprintf(stderr, "kiosk demo: badges are written to %s\n", badges.c_str());
    }
    if (config.kiosk.staff_pin_hash.empty()) {
        config.kiosk.staff_pin_hash = kDemoPinHash;
        std::fprintf(stderr, "kiosk demo: the staff PIN is 1234 (long-press the top-left corner)\n");
    }
    return {};
}

Outcome<void> KioskShell::Impl::set_up() {
    started = std::chrono::steady_clock::now();
    auto loaded = effective_config(line);
    if (!loaded) return std::unexpected(loaded.error());
    config = std::move(*loaded);
    db_path = line.db_path;
    if (line.demo) {
        if (auto demo = prepare_demo_store(); !demo) return demo;
    } else if (db_path.empty()) {
        return std::unexpected("kiosk needs --db PATH (the store kioskctl import or sync filled), or --demo");
    }
    if (!line.state_log.empty()) log = StateLog(line.state_log);

    auto translated = Translations::load_folder(assets_dir() / "i18n");
    if (!translated) return std::unexpected(translated.error());
    translations = std::move(*translated);
    for (const std::string& code : config.kiosk.languages) language_names.emplace_back(code, Translations::native_name(code));

    // The store read once before the window opens: the default list, and the events' names and
    // questions for the first font atlas (a rebuild after the first frames would stall them).
    StoreSnapshot first_reading;
    {
        App app(db_path);
        first_reading = read_store_snapshot(app);
        if (config.kiosk.lists.empty()) {
            const auto list = app.default_list();
            if (!list) return std::unexpected("the store holds no check-in list: import or sync an event first");
            config.kiosk.lists = {*list};   // one list until staff pick another
        }
    }

    render::WindowOptions options;
    options.fullscreen = !line.windowed;
    options.width = line.width;
    options.height = line.height;
    auto opened = render::Window::open(options);
    if (!opened) return std::unexpected(opened.error());
    window = std::move(*opened);
    audio = render::Audio::open();
    window->fonts().add_glyphs(translations.all_strings());
    window->fonts().add_glyphs(first_reading.glyph_texts);
    glyph_generation = first_reading.glyph_generation;
    for (const auto& [code, name] : language_names) window->fonts().add_glyphs(name);

    flow::FlowSettings settings;
    settings.lists = config.kiosk.lists;
    settings.languages = config.kiosk.languages;
    settings.default_language = config.kiosk.default_language;
    for (const std::string& code : translations.languages()) settings.translated_languages.insert(code);
    settings.idle = std::chrono::seconds(config.kiosk.idle_seconds);
    settings.still_there = std::chrono::seconds(config.kiosk.still_there_seconds);
    settings.rejection = std::chrono::seconds(config.kiosk.rejection_seconds);
    settings.printer = !config.kiosk.printer.empty();
    settings.preview_badge = config.kiosk.preview_badge;
    settings.lookup_enabled = config.kiosk.lookup_enabled;
    settings.manual_entry_enabled = config.kiosk.manual_entry_enabled;
    settings.staff_pin_set = !config.kiosk.staff_pin_hash.empty();
    settings.staff_code = config.kiosk.staff_code;
    flow = std::make_unique<flow::Flow>(std::move(settings), &log);
    start_workers();
    return {};
}

// Starts (or restarts, after staff scanned a device set-up code) the background sync with the
// backend in use, as kioskctl sync would choose it (backend_sync.h). Reads the saved connections:
// once at start, or once on a staff action, never per frame.
void KioskShell::Impl::start_sync() {
    auto syncing = BackgroundSync::start(config, db_path);
    if (!syncing) {
        std::fprintf(stderr, "kiosk: no sync: %s\n", syncing.error().c_str());
        return;
    }
    if (!*syncing) return;                  // no backend configured or saved: the store alone decides
    background_sync = std::move(*syncing);
    // More than one connection saved next to the store: say which one syncs (the staff panel names it too).
    if (!background_sync->note().empty()) std::fprintf(stderr, "kiosk: %s\n", background_sync->note().c_str());
    status.backend_name = backend_display_name(background_sync->kind());
    if (worker) worker->connect(background_sync, scan_connection(config, db_path));
}

void KioskShell::Impl::start_workers() {
    if (!config.kiosk.printer.empty()) {
        PrintQueueSettings settings{db_path, config.kiosk.printer, std::nullopt, std::chrono::seconds(15)};
        if (!config.kiosk.badge_layout.empty()) settings.layout_file = config.kiosk.badge_layout;
        print_queue = std::make_unique<PrintQueue>(std::move(settings));
        print_queue->start();
    }
    // Any backend configured, or saved next to the store (kioskctl setup, kioskctl sync --backend; sync_settings.h).
    start_sync();
    // Whatever the backend; with no URL it only makes the store stop recording webhook events.
    webhook_sender = webhooks::start_webhook_sender(config.webhooks.urls, config.webhooks.secret, db_path);
    FlowWorkerSettings worker_settings;
    worker_settings.db_path = db_path;
    worker_settings.staff_pin_hash = config.kiosk.staff_pin_hash;
    worker_settings.photo_dir = std::filesystem::path(db_path).parent_path() / "kiosk-photo";
    worker_settings.print_queue = print_queue.get();
    worker_settings.background_sync = background_sync;
    worker_settings.device_file = device_file_path(config, db_path);
    if (!config.kiosk.badge_layout.empty()) worker_settings.badge_layout = config.kiosk.badge_layout;
    worker_settings.ca_file = config.backend.ca_file.string();
    worker_settings.scan_connection = scan_connection(config, db_path);
    worker = std::make_unique<FlowWorker>(std::move(worker_settings));
    poller = std::make_unique<StatusPoller>(db_path, std::chrono::milliseconds(2000));

    std::string uri = config.kiosk.camera;
    if (uri == "auto") uri = std::filesystem::exists("/dev/video0") ? "camera:0" : "none";
    if (uri != "none") {
        SourceOptions options;
        options.width = 1280;
        options.height = 720;
        auto source = open_frame_source(uri, options);
        if (!source) {
            camera_error = source.error();
            std::fprintf(stderr, "kiosk: camera: %s\n", camera_error.c_str());
        } else {
            camera = std::make_unique<ScanPipeline>(std::move(*source));
            camera->start();
        }
    }
}

// [SECTION] Input: keys, the keyboard wedge, the staff corner

// A keyboard-wedge scanner types a whole code in a burst ending in Enter; a person types slowly.
// Typed keys are held until the typing pauses (a burst never does), so a scan never lands in a
// field, and a person's keys reach the field up to kTypingPause late (keys at a scanner's pace
// with no Enter, up to the wedge's max_scanner_stall late).
void KioskShell::Impl::handle_keys(const render::FrameInput& input) {
    for (const render::InputEvent& event : input.events) {
        if (const auto* typed = std::get_if<render::TextTyped>(&event)) {
            // A key that starts a new burst: the keys held so far were a person's, to the field.
            if (!wedge.on_text(typed->utf8, typed->when)) flush_held_text(typed->when, true);
            held_text += typed->utf8;
            held_last = typed->when;
            continue;
        }
        const auto& key = std::get<render::KeyPress>(event);
        if (key.key == render::Key::enter || (key.key == render::Key::tab && !held_text.empty())) {
            if (auto scan = wedge.on_enter(key.when)) {
                held_text.clear();
                flow->handle(flow::Scanned{scan->binary ? scan->bytes : scan->text, false, scan->captured});
                continue;
            }
            flush_held_text(key.when, true);
            if (key.key == render::Key::enter) {
                // Enter with nothing focused does what the screen's main button does: submit the
                // PIN, the code or the answer just typed.
                if (focus.focused().empty()) flow->handle(flow::Pressed{"next"});
                else focus.activate();
                continue;
            }
        }
        if (key.key == render::Key::space || key.key == render::Key::other) continue;   // their text came as TextTyped
        flush_held_text(key.when, true);
        wedge.reset();
        switch (key.key) {
        case render::Key::tab: focus.move(key.shift ? -1 : 1); break;
        case render::Key::down:
        case render::Key::right: focus.move(1); break;
        case render::Key::up:
        case render::Key::left: focus.move(-1); break;
        case render::Key::escape: flow->handle(flow::Pressed{"back"}); break;
        case render::Key::backspace: flow->handle(flow::Erased{}); break;
        case render::Key::f1: read_aloud(false); break;
        case render::Key::f2: read_aloud(true); break;
        case render::Key::f12: {
            const std::string path = "kiosk-screenshot-" + std::to_string(std::time(nullptr)) + ".png";
            if (const auto saved = window->save_screenshot(path); !saved) std::fprintf(stderr, "kiosk: %s\n", saved.error().c_str());
            else std::fprintf(stderr, "kiosk: screenshot %s\n", path.c_str());
            break;
        }
        default: break;
        }
    }
    // A touch or click means a person is there (scanners do not click): what they typed goes to the
    // field before the tap on "Next" is handled in this frame's drawing.
    flush_held_text(input.frame_start, input.pointer_activity);
}

void KioskShell::Impl::flush_held_text(std::chrono::steady_clock::time_point now, bool force) {
    if (held_text.empty()) return;
    // Keys at a scanner's pace wait for the rest of their burst (a stalled scanner goes on).
    if (!force && (now - held_last < kTypingPause || wedge.expects_more(now))) return;
    flow->handle(flow::Typed{std::exchange(held_text, {})});
}

void KioskShell::Impl::watch_staff_corner(const UiContext& ui) {
    const ImGuiIO& io = ImGui::GetIO();
    const Area corner = staff_corner(ui);
    const bool inside = io.MouseDown[0] && io.MousePos.x >= corner.min.x && io.MousePos.y >= corner.min.y &&
                        io.MousePos.x < corner.max.x && io.MousePos.y < corner.max.y;
    if (!inside) {
        corner_down = {};
        corner_fired = false;
        return;
    }
    if (corner_down == std::chrono::steady_clock::time_point{}) corner_down = ui.now;
    if (!corner_fired && ui.now - corner_down >= kStaffLongPress) {
        corner_fired = true;
        flow->handle(flow::LongPressed{});
    }
}

// [SECTION] One frame

void KioskShell::Impl::pump_workers() {
    for (flow::Event& event : worker->drain()) {
        if (const auto* health_event = std::get_if<flow::DeviceHealth>(&event)) {
            // The worker reports the store failing and working again; folded into update_health.
            store_fault = health_event->store.value_or("");
            continue;
        }
        if (const auto* answer = std::get_if<flow::ScanAnswered>(&event)) {
            if (pending_verdict && pending_verdict->answered == std::chrono::steady_clock::time_point{})
                pending_verdict->answered = std::chrono::steady_clock::now();
            if (answer->outcome && answer->outcome->verdict.position)
                window->fonts().add_glyphs(answer->outcome->verdict.position->attendee_name);
        }
        if (const auto* report = std::get_if<flow::StaffReport>(&event); report && report->backend_connected) start_sync();
        if (const auto* preview = std::get_if<flow::PreviewRendered>(&event); preview && preview->image)
            badge_texture.update(preview->image->view());
        if (const auto* hits = std::get_if<flow::LookupAnswered>(&event)) {
            if (hits->hits)
                for (const flow::LookupHit& hit : *hits->hits) window->fonts().add_glyphs(hit.attendee_name);
        }
        flow->handle(event);
    }
    if (print_queue)
        for (const PrintEvent& printed : print_queue->drain())
            flow->handle(flow::PrintUpdated{printed.job, printed.state, printed.message});
}

void KioskShell::Impl::update_camera() {
    if (!camera) return;
    for (const ScanEvent& scanned : camera->drain_events()) {
        code_outline = std::array<ImVec2, 4>{};
        for (size_t i = 0; i < 4; ++i) (*code_outline)[i] = {scanned.corners[i].x, scanned.corners[i].y};
        code_seen = std::chrono::steady_clock::now();
        const bool accepted = flow->scans_accepted();
        flow->handle(flow::Scanned{scanned.binary ? scanned.bytes : scanned.text, true, scanned.captured});
        // Timed from frames captured once the kiosk was ready: a code the demo camera showed while
        // the window was still opening would time the start-up, not the scan.
        if (accepted && flow->view().screen == flow::Screen::checking && ready_logged && scanned.captured >= ready_at)
            pending_verdict = ScanTiming{scanned.captured, std::chrono::steady_clock::now(), {},
                                         std::chrono::duration<double, std::milli>(scanned.decode_time).count()};
    }
    if (code_outline && std::chrono::steady_clock::now() - code_seen > std::chrono::milliseconds(600)) code_outline.reset();
    if (auto frame = camera->latest_frame(); frame && frame->index != camera_frame_index) {
        camera_frame_index = frame->index;
        camera_texture.update(frame->image.view());
        last_camera_frame = std::move(frame->image);
    }
}

void KioskShell::Impl::update_health(std::chrono::steady_clock::time_point now) {
    flow::DeviceHealth next;
    if (!camera_error.empty()) {
        next.camera = camera_error;
    } else if (camera) {
        const PipelineStats stats = camera->stats();
        if (stats.source_state == SourceState::failed) {
            next.camera = stats.source_error.empty() ? "the camera failed" : stats.source_error;
        } else if (stats.source_state == SourceState::reconnecting) {
            // A camera replugged comes back in a second or two; only a longer gap is a fault.
            if (camera_trouble_since == std::chrono::steady_clock::time_point{}) camera_trouble_since = now;
            if (now - camera_trouble_since > std::chrono::seconds(5)) next.camera = "the camera is not answering";
        } else {
            camera_trouble_since = {};
        }
    }
    if (!store_fault.empty()) next.store = store_fault;
    if (snapshot && snapshot->store_failed) next.store = snapshot->store_error;
    if (print_queue) {
        const printer::PrinterStatus printer = print_queue->printer_status();
        if (printer.state != printer::PrinterState::ready && printer.state != printer::PrinterState::busy)
            next.printer = printer.message.empty() ? "the printer is not ready" : printer.message;
    }
    if (next.camera != health.camera || next.store != health.store || next.printer != health.printer) {
        health = next;
        flow->handle(health);
    }
}

void KioskShell::Impl::update_status() {
    auto next = poller->snapshot();
    if (next != snapshot) {
        snapshot = next;
        if (snapshot->glyph_generation != glyph_generation) {
            glyph_generation = snapshot->glyph_generation;
            window->fonts().add_glyphs(snapshot->glyph_texts);
        }
    }
    const std::string& language = flow->view().language;
    status.lists.clear();
    status.event_name.clear();
    std::string timezone = "UTC";           // the wall clock staff read: the event's, once a list is chosen
    if (snapshot) {
        for (const StoreSnapshot::List& list : snapshot->lists) {
            status.lists.push_back({list.id, list.name});
            const auto& chosen = flow->view().lists;
            if (status.event_name.empty() && std::find(chosen.begin(), chosen.end(), list.id) != chosen.end()) {
                status.event_name = localized_text(list.event_name, language);
                timezone = list.event_timezone;
            }
        }
    }
    status.backend = background_sync != nullptr;
    status.scan_mode = worker ? worker->scan_mode() : std::nullopt;
    if (background_sync) {
        const sync::SyncStatus sync = background_sync->status();
        status.online = sync.online;
        status.pending_uploads = static_cast<int64_t>(sync.pending_uploads);
        status.sync_error = sync.last_error;
        status.last_success = sync.last_success ? format_local_time(*sync.last_success, find_time_zone(timezone), language,
                                                                    TimeStyle::relative_day, now_utc())
                                                : "";
    }
    status.printer = print_queue ? (health.printer ? *health.printer : "ready") : "";
    status.camera = !camera ? (camera_error.empty() ? "none" : camera_error) : health.camera ? *health.camera : "working";
}

void KioskShell::Impl::draw_frame(std::chrono::steady_clock::time_point now) {
    const flow::FlowView& view = flow->view();
    spoken.clear();
    std::vector<flow::Event> events;
    UiContext ui{.view = view,
                 .settings = flow->settings(),
                 .catalog = translations.catalog(view.language),
                 .fonts = window->fonts(),
                 .focus = focus,
                 .events = events,
                 .spoken = spoken,
                 .status = status,
                 .languages = language_names,
                 .camera = camera ? &camera_texture : nullptr,
                 .code_outline = code_outline,
                 .photo = &photo_texture,
                 .badge = &badge_texture,
                 .now = now,
                 .size = window->size(),
                 .large_text = large_text};
    ImGui::SetNextWindowPos({0, 0});
    ImGui::SetNextWindowSize(ui.size);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, render::palette().background);
    ImGui::Begin("##kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
    focus.begin_frame();
    draw_top_bar(ui);
    const Area content = content_area(ui);
    switch (view.screen) {
    case flow::Screen::attract: AttractScreen{}.Draw(ui, content); break;
    case flow::Screen::checking: CheckingScreen{}.Draw(ui, content); break;
    case flow::Screen::rejected: RejectedScreen{}.Draw(ui, content); break;
    case flow::Screen::questions: QuestionsScreen{}.Draw(ui, content); break;
    case flow::Screen::admitted: AdmittedScreen{}.Draw(ui, content); break;
    case flow::Screen::printing: PrintingScreen{}.Draw(ui, content); break;
    case flow::Screen::done: DoneScreen{}.Draw(ui, content); break;
    case flow::Screen::lookup: LookupScreen{}.Draw(ui, content); break;
    case flow::Screen::still_there: StillThereScreen{}.Draw(ui, content); break;
    case flow::Screen::staff_pin: StaffPinScreen{}.Draw(ui, content); break;
    case flow::Screen::staff: StaffScreen{}.Draw(ui, content); break;
    case flow::Screen::out_of_order: OutOfOrderScreen{}.Draw(ui, content); break;
    }
    draw_bottom_bar(ui);
    watch_staff_corner(ui);
    focus.end_frame();
    ImGui::End();
    ImGui::PopStyleColor();
    for (flow::Event& event : events) {
        if (const auto* pressed = std::get_if<flow::Pressed>(&event);
            pressed && (pressed->control == "large_text" || pressed->control == "read_aloud")) {
            handle_shell_control(pressed->control);
            continue;
        }
        flow->handle(event);
    }
}

void KioskShell::Impl::handle_shell_control(const std::string& control) {
    if (control == "large_text") {
        large_text = !large_text;
        window->fonts().set_scale(large_text ? static_cast<float>(kLargeTextScale) : 1.0f);
        log.write("large_text", {{"on", large_text}});
    } else if (control == "read_aloud") {
        read_aloud(false);
    }
}

// Speaks the screen's text, then the focused control; pressing again while it speaks stops it.
void KioskShell::Impl::read_aloud(bool focused_only) {
    if (audio->speaking()) {
        audio->stop_speech();
        log.write("speech", {{"stopped", true}});
        return;
    }
    std::string text;
    if (!focused_only)
        for (const std::string& sentence : spoken) text += sentence + ".\n";
    if (!focus.focused_label().empty() && !focus.focused().empty()) text += focus.focused_label();
    if (text.empty()) return;
    log.write("speech", {{"chars", text.size()}, {"language", flow->view().language}, {"focused_only", focused_only}});
    audio->say(std::move(text), flow->view().language);
}

// [SECTION] Commands and worker events

void KioskShell::Impl::run_commands() {
    for (flow::Command& command : flow->take_commands()) {
        if (const auto* cue = std::get_if<flow::PlayCue>(&command)) {
            audio->play(cue_of(cue->cue));
        } else if (std::holds_alternative<flow::TakePhoto>(command)) {
            if (last_camera_frame) {
                photo_texture.update(last_camera_frame->view());
                worker->save_photo(*last_camera_frame);
            } else {
                flow->handle(flow::PhotoTaken{std::unexpected("no camera frame")});
            }
        } else if (const auto* language = std::get_if<flow::LanguageChanged>(&command)) {
            (void)language;                 // the catalog is picked per frame from the view
        } else if (const auto* staff = std::get_if<flow::RunStaffAction>(&command)) {
            worker->submit(command);
            if (staff->action == flow::StaffAction::exit_kiosk) log.write("exit", {});
            poller->poll_now();
        } else {
            worker->submit(std::move(command));
        }
    }
}

void KioskShell::Impl::log_changes() {
    const flow::FlowView& view = flow->view();
    if (view.screen != last_screen || (view.screen == flow::Screen::questions && view.page != last_page)) {
        focus.clear();
        last_screen = view.screen;
        last_page = view.page;
        audio->stop_speech();
    }
    if (line.log_controls) log_controls();
    if (focus.focused() != last_focus) {
        last_focus = focus.focused();
        if (!last_focus.empty()) {
            std::string id = last_focus;
            if (id.rfind("option:", 0) == 0) id = id.substr(7);
            else if (id.rfind("key:", 0) == 0) id = id.substr(4);
            log.write("focus", {{"role", focus.focused_role()}, {"id", id}});
        }
    }
}

// The controls on screen with their rectangles, when they change: UI tests click by id.
void KioskShell::Impl::log_controls() {
    nlohmann::json controls = nlohmann::json::array();
    for (const FocusChain::Entry& entry : focus.controls())
        controls.push_back({{"id", entry.id}, {"role", entry.role},
                            {"x", static_cast<int>(entry.min.x)}, {"y", static_cast<int>(entry.min.y)},
                            {"w", static_cast<int>(entry.max.x - entry.min.x)}, {"h", static_cast<int>(entry.max.y - entry.min.y)}});
    std::string signature = controls.dump();
    if (signature == last_controls) return;
    last_controls = std::move(signature);
    log.write("controls", {{"screen", flow::screen_name(flow->view().screen)}, {"controls", std::move(controls)}});
}

int KioskShell::Impl::run() {
    std::signal(SIGTERM, on_terminate_signal);
    std::signal(SIGINT, on_terminate_signal);
    const auto deadline = line.run_seconds > 0
                              ? started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                              std::chrono::duration<double>(line.run_seconds))
                              : std::chrono::steady_clock::time_point::max();
    while (!g_terminate && !flow->quit_requested() && std::chrono::steady_clock::now() < deadline) {
        const double cpu_start = thread_cpu_ms();
        const render::FrameInput input = window->begin_frame();
        if (input.quit) break;
        const auto frame_start = input.frame_start;
        const flow::Screen before = flow->view().screen;
        handle_keys(input);
        pump_workers();
        update_camera();
        update_health(frame_start);
        update_status();
        flow->handle(flow::Tick{frame_start, input.pointer_activity || !input.events.empty()});
        draw_frame(frame_start);
        run_commands();
        log_changes();
        const double cpu_end = thread_cpu_ms();
        window->end_frame();
        const auto presented = std::chrono::steady_clock::now();
        if (!line.benchmark_json.empty()) {
            times.frame_cpu_ms.push_back(cpu_end - cpu_start);
            times.present_ms.push_back(thread_cpu_ms() - cpu_end);
        }
        const flow::Screen after = flow->view().screen;
        if (pending_verdict && after != flow::Screen::checking && before == flow::Screen::checking) {
            using ms = std::chrono::duration<double, std::milli>;
            const ScanTiming& scan = *pending_verdict;
            times.scan_to_screen_ms.push_back(ms(presented - scan.captured).count());
            times.capture_to_ui_ms.push_back(ms(scan.seen - scan.captured).count());
            times.decision_ms.push_back(ms(scan.answered - scan.seen).count());
            times.answer_to_present_ms.push_back(ms(presented - scan.answered).count());
            log.write("verdict_presented", {{"scan_to_screen_ms", times.scan_to_screen_ms.back()},
                                            {"capture_to_ui_ms", times.capture_to_ui_ms.back()},
                                            {"decode_ms", scan.decode_ms},
                                            {"decision_ms", times.decision_ms.back()},
                                            {"answer_to_present_ms", times.answer_to_present_ms.back()},
                                            {"screen", flow::screen_name(after)}});
            pending_verdict.reset();
        }
        if (!ready_logged && after == flow::Screen::attract) {
            ready_logged = true;
            ready_at = presented;
            times.ready_ms = std::chrono::duration<double, std::milli>(presented - started).count();
            log.write("ready", {{"startup_ms", times.ready_ms}});
        }
        // Without vsync (Xvfb, some drivers) the loop would spin: hold it to 60 frames a second.
        const auto spent = std::chrono::steady_clock::now() - frame_start;
        if (spent < kFrameBudget) std::this_thread::sleep_for(kFrameBudget - spent);
    }
    write_benchmark();
    return 0;
}

void KioskShell::Impl::write_benchmark() const {
    if (line.benchmark_json.empty()) return;
    nlohmann::json report{
        {"frames", times.frame_cpu_ms.size()},
        {"frame_cpu_ms", {{"median", percentile(times.frame_cpu_ms, 0.5)}, {"p99", percentile(times.frame_cpu_ms, 0.99)}}},
        {"present_ms", {{"median", percentile(times.present_ms, 0.5)}, {"p99", percentile(times.present_ms, 0.99)}}},
        {"ready_ms", times.ready_ms},
        {"scan_to_screen_ms",
         {{"count", times.scan_to_screen_ms.size()},
          {"median", percentile(times.scan_to_screen_ms, 0.5)},
          {"p99", percentile(times.scan_to_screen_ms, 0.99)},
          {"capture_to_ui_median", percentile(times.capture_to_ui_ms, 0.5)},
          {"decision_median", percentile(times.decision_ms, 0.5)},
          {"answer_to_present_median", percentile(times.answer_to_present_ms, 0.5)},
          {"samples", times.scan_to_screen_ms}}},
        {"fps", times.frame_cpu_ms.empty() || line.run_seconds <= 0 ? 0.0
                                                                     : static_cast<double>(times.frame_cpu_ms.size()) / line.run_seconds},
        {"size", {window->size().x, window->size().y}}};
    std::ofstream(line.benchmark_json) << report.dump(2) << "\n";
}

KioskShell::KioskShell(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KioskShell::~KioskShell() {
    if (!impl_) return;
    // Workers first (they may post to nothing), then the window and its GL textures.
    impl_->camera.reset();
    impl_->worker.reset();
    impl_->print_queue.reset();
    impl_->background_sync.reset();
    impl_->poller.reset();
    impl_->camera_texture = {};
    impl_->photo_texture = {};
    impl_->badge_texture = {};
    impl_->window.reset();
    if (!impl_->temp_dir.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(impl_->temp_dir, ignored);
    }
}

Outcome<std::unique_ptr<KioskShell>> KioskShell::create(const KioskCommandLine& command_line) {
    auto impl = std::make_unique<Impl>();
    impl->line = command_line;
    if (auto ready = impl->set_up(); !ready) return std::unexpected(ready.error());
    return std::unique_ptr<KioskShell>(new KioskShell(std::move(impl)));
}

int KioskShell::run() { return impl_->run(); }

} // namespace kiosk::ui
