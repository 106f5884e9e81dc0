#include "render/window.h"

#include <GL/gl.h>
#include <SDL.h>
#include <SDL_syswm.h>
// Xlib's macros would rename our types (KeyPress is also render::KeyPress): keep the one value
// needed and drop the names.
namespace {
constexpr int kXKeyPress = KeyPress;
}
#undef KeyPress
#undef KeyRelease
#undef None
#undef Bool
#undef Status
#undef Success
#include <backends/imgui_impl_opengl3.h>
#include <backends/imgui_impl_sdl.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <optional>

#include "image/png.h"
#include "render/current.h"
#include "render/pointer_input.h"
#include "render/shaped_text.h"
#include "render/texture.h"
#include "render/theme.h"

namespace kiosk::render {

namespace {

using Clock = std::chrono::steady_clock;

Key key_of(SDL_Keycode code) {
    switch (code) {
    case SDLK_TAB: return Key::tab;
    case SDLK_RETURN:
    case SDLK_KP_ENTER: return Key::enter;
    case SDLK_ESCAPE: return Key::escape;
    case SDLK_UP: return Key::up;
    case SDLK_DOWN: return Key::down;
    case SDLK_LEFT: return Key::left;
    case SDLK_RIGHT: return Key::right;
    case SDLK_BACKSPACE: return Key::backspace;
    case SDLK_SPACE: return Key::space;
    case SDLK_F1: return Key::f1;
    case SDLK_F2: return Key::f2;
    case SDLK_F12: return Key::f12;
    default: return Key::other;
    }
}

std::string sdl_error() {
    const char* error = SDL_GetError();
    return error != nullptr && *error != '\0' ? error : "no reason given";
}

} // namespace

struct Window::Impl {
    // Teardown runs in reverse order of what was set up; each flag says a stage is live.
    bool sdl_video = false;
    SDL_Window* window = nullptr;
    SDL_GLContext gl = nullptr;
    ImGuiContext* imgui = nullptr;
    bool sdl_backend = false, gl_backend = false;
    std::unique_ptr<Fonts> fonts;
    std::unique_ptr<ShapedTextCache> shaped;
    Texture font_texture;                   // the atlas as one channel (the backend's is RGBA: 4x the memory)
    Current hooks;

    PointerQueue pointer;
    SDL_FingerID finger = 0;
    bool finger_down = false;
    // SDL stamps events with SDL_GetTicks (ms since SDL_Init, CLOCK_MONOTONIC based); this is
    // that origin on steady_clock, so event times map without asking when the poll ran.
    Clock::time_point ticks_origin;
    Clock::time_point last_frame;
    double rebuild_ms = 0;
    bool in_frame = false;

    ~Impl() {
        if (current() == &hooks) set_current(nullptr);
        shaped.reset();                     // its textures need the GL context
        font_texture = Texture();
        if (gl_backend) ImGui_ImplOpenGL3_Shutdown();
        if (sdl_backend) ImGui_ImplSDL2_Shutdown();
        if (imgui != nullptr) ImGui::DestroyContext(imgui);
        if (gl != nullptr) SDL_GL_DeleteContext(gl);
        if (window != nullptr) {
            SDL_StopTextInput();
            SDL_DestroyWindow(window);
        }
        if (sdl_video) SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
    }

    Clock::time_point when(Uint32 timestamp, Clock::time_point polled) const {
        if (last_key_server_ms) return server_key_time(polled);
        const auto at = ticks_origin + std::chrono::milliseconds(timestamp);
        return std::min(at, polled);
    }

    // Key times from the X server. SDL stamps a key when the frame loop reads it, so keys typed
    // during a slow frame all get that frame's time and a scanner's burst looks like a person's
    // pauses between frames. The server stamps each key as it happens (XKeyEvent.time, ms): its
    // offset to steady_clock is taken as the smallest ever seen (the least delayed event), so a
    // late read never moves a key later.
    std::optional<uint64_t> last_key_server_ms;
    std::optional<Clock::duration> server_offset;
    void note_server_key(uint64_t server_ms, Clock::time_point polled) {
        if (server_ms == 0) {               // a synthetic event (XSendEvent) has no time: use SDL's
            last_key_server_ms.reset();
            return;
        }
        const Clock::duration offset = polled - Clock::time_point(std::chrono::milliseconds(server_ms));
        // The smallest offset is the least delayed key; one far larger means X's 32-bit millisecond
        // clock wrapped (every 49.7 days): start over from this key.
        if (!server_offset || offset < *server_offset || offset - *server_offset > std::chrono::seconds(30))
            server_offset = offset;
        last_key_server_ms = server_ms;
    }
    Clock::time_point server_key_time(Clock::time_point polled) const {
        const auto at = Clock::time_point(std::chrono::milliseconds(*last_key_server_ms)) + *server_offset;
        return std::min(at, polled);
    }

    ImVec2 window_size() const {
        int w = 0, h = 0;
        SDL_GetWindowSize(window, &w, &h);
        return ImVec2(static_cast<float>(w), static_cast<float>(h));
    }

    ImVec2 drawable_size() const {
        int w = 0, h = 0;
        SDL_GL_GetDrawableSize(window, &w, &h);
        return ImVec2(static_cast<float>(w), static_cast<float>(h));
    }

    void rebuild_fonts() {
        const auto start = Clock::now();
        ImGuiIO& io = ImGui::GetIO();
        auto built = fonts->rebuild(*io.Fonts);
        if (!built) {
            // Only a full atlas fails here (the files were mapped at open): keep a usable UI.
            std::fprintf(stderr, "render: %s; using ImGui's default font\n", built.error().c_str());
            io.Fonts->Clear();
            io.Fonts->AddFontDefault();
            io.Fonts->Build();
        }
        // Uploaded as a coverage mask: a 2048x4096 atlas of CJK names is 8 MB of texture instead of
        // the 32 MB of the backend's RGBA upload, and no RGBA conversion on the CPU.
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
        font_texture.update_alpha(ImageView{pixels, width, height, width, PixelFormat::gray8});
        io.Fonts->SetTexID(font_texture.id());
        io.Fonts->ClearTexData();           // the CPU copy is not needed once uploaded
        io.FontDefault = fonts->get(FontRole::body);
        apply_theme();
        rebuild_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    }
};

Window::Window(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Window::~Window() {
    if (impl_ && impl_->in_frame) ImGui::EndFrame();
}

std::expected<std::unique_ptr<Window>, std::string> Window::open(const WindowOptions& options) {
    if (current() != nullptr) return std::unexpected("a window is already open (ImGui has one context per process)");
    auto fonts = Fonts::load(options.fonts);
    if (!fonts) return std::unexpected(fonts.error());

    auto impl = std::make_unique<Impl>();
    impl->fonts = std::move(*fonts);

    // Before SDL starts: a button press must not grab the pointer (on X11 a grab turns the touch
    // screen's touches into emulated pointer events and the touch-up is lost), and a kiosk
    // that loses focus to a dialog must not minimize itself.
    SDL_SetHint(SDL_HINT_MOUSE_AUTO_CAPTURE, "0");
    SDL_EventState(SDL_SYSWMEVENT, SDL_ENABLE);   // X key times (see Impl::note_server_key)
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return std::unexpected("the display cannot be opened: " + sdl_error());
    impl->sdl_video = true;
    impl->ticks_origin = Clock::now() - std::chrono::milliseconds(SDL_GetTicks64());

    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
    Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_ALLOW_HIGHDPI | SDL_WINDOW_SHOWN;
    if (options.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    impl->window = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                    std::max(options.width, 64), std::max(options.height, 64), flags);
    if (impl->window == nullptr) return std::unexpected("the window cannot be created: " + sdl_error());
    impl->gl = SDL_GL_CreateContext(impl->window);
    if (impl->gl == nullptr) return std::unexpected("no OpenGL 3.3 context is available: " + sdl_error());
    SDL_GL_MakeCurrent(impl->window, impl->gl);
    SDL_GL_SetSwapInterval(options.vsync ? 1 : 0);
    SDL_StartTextInput();

    IMGUI_CHECKVERSION();
    impl->imgui = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;               // an appliance keeps no window layout between runs
    io.LogFilename = nullptr;
    io.ConfigFlags &= ~(ImGuiConfigFlags_NavEnableKeyboard | ImGuiConfigFlags_NavEnableGamepad);
    io.ConfigInputTextCursorBlink = true;
    if (!ImGui_ImplSDL2_InitForOpenGL(impl->window, impl->gl)) return std::unexpected("ImGui's SDL backend did not start");
    impl->sdl_backend = true;
    // The SDL backend never sees a pointer event (see window.h); say so, so ImGui does not
    // expect the OS cursor to follow it.
    io.BackendFlags &= ~ImGuiBackendFlags_HasSetMousePos;
    if (!ImGui_ImplOpenGL3_Init("#version 330 core")) return std::unexpected("ImGui's OpenGL 3 backend did not start");
    impl->gl_backend = true;

    impl->shaped = std::make_unique<ShapedTextCache>();
    impl->hooks = Current{impl->fonts.get(), impl->shaped.get()};
    set_current(&impl->hooks);

    const ImVec2 size = impl->window_size();
    impl->fonts->set_short_side(std::min(size.x, size.y));
    // The backend's device objects include an RGBA upload of whatever atlas there is (ImGui's
    // small default font now); that texture goes at once, ours replaces it.
    if (!ImGui_ImplOpenGL3_CreateDeviceObjects()) return std::unexpected("ImGui's OpenGL shaders did not compile");
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    impl->rebuild_fonts();
    impl->last_frame = Clock::now();
    return std::unique_ptr<Window>(new Window(std::move(impl)));
}

FrameInput Window::begin_frame() {
    Impl& impl = *impl_;
    FrameInput input;
    input.frame_start = Clock::now();
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 window_size = impl.window_size();

    SDL_Event event;
    while (SDL_PollEvent(&event) != 0) {
        const Clock::time_point polled = Clock::now();
        switch (event.type) {
        case SDL_QUIT: input.quit = true; break;
        case SDL_WINDOWEVENT:
            if (event.window.event == SDL_WINDOWEVENT_CLOSE) input.quit = true;
            if (event.window.event == SDL_WINDOWEVENT_LEAVE) impl.pointer.leave();
            ImGui_ImplSDL2_ProcessEvent(&event);   // focus in / out
            break;
        case SDL_SYSWMEVENT:
            // X11 only: the key press's server time, for the SDL_KEYDOWN / SDL_TEXTINPUT that follow it.
            if (event.syswm.msg != nullptr && event.syswm.msg->subsystem == SDL_SYSWM_X11 &&
                event.syswm.msg->msg.x11.event.type == kXKeyPress)
                impl.note_server_key(event.syswm.msg->msg.x11.event.xkey.time, polled);
            break;
        case SDL_KEYDOWN:
            input.events.push_back(KeyPress{key_of(event.key.keysym.sym), (event.key.keysym.mod & KMOD_SHIFT) != 0,
                                            impl.when(event.key.timestamp, polled)});
            ImGui_ImplSDL2_ProcessEvent(&event);
            break;
        case SDL_KEYUP: ImGui_ImplSDL2_ProcessEvent(&event); break;
        case SDL_TEXTINPUT:
            input.events.push_back(TextTyped{event.text.text, impl.when(event.text.timestamp, polled)});
            ImGui_ImplSDL2_ProcessEvent(&event);
            break;
        // The pointer: SDL's mouse events made from touches are dropped, the finger events
        // themselves drive it, so one tap is one press.
        case SDL_MOUSEMOTION:
            if (event.motion.which == SDL_TOUCH_MOUSEID) break;
            impl.pointer.move(ImVec2(static_cast<float>(event.motion.x), static_cast<float>(event.motion.y)));
            input.pointer_activity = true;
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            if (event.button.which == SDL_TOUCH_MOUSEID || event.button.button != SDL_BUTTON_LEFT) break;
            if (event.type == SDL_MOUSEBUTTONDOWN)
                impl.pointer.press(ImVec2(static_cast<float>(event.button.x), static_cast<float>(event.button.y)));
            else
                impl.pointer.release(ImVec2(static_cast<float>(event.button.x), static_cast<float>(event.button.y)));
            input.pointer_activity = true;
            break;
        case SDL_MOUSEWHEEL:
            if (event.wheel.which == SDL_TOUCH_MOUSEID) break;
            io.MouseWheel += static_cast<float>(event.wheel.y);
            io.MouseWheelH += static_cast<float>(event.wheel.x);
            input.pointer_activity = true;
            break;
        case SDL_FINGERDOWN:
        case SDL_FINGERMOTION:
        case SDL_FINGERUP: {
            input.pointer_activity = true;
            // Finger coordinates are fractions of the window. Only the first finger points;
            // others (a palm, a second hand) are ignored until it lifts.
            const ImVec2 pos(event.tfinger.x * window_size.x, event.tfinger.y * window_size.y);
            if (event.type == SDL_FINGERDOWN) {
                if (impl.finger_down) break;
                impl.finger_down = true;
                impl.finger = event.tfinger.fingerId;
                impl.pointer.press(pos);
            } else if (impl.finger_down && event.tfinger.fingerId == impl.finger) {
                if (event.type == SDL_FINGERMOTION) {
                    impl.pointer.move(pos);
                } else {
                    impl.finger_down = false;
                    impl.pointer.release(pos);
                }
            }
            break;
        }
        default: break;
        }
    }

    const float short_side = std::min(window_size.x, window_size.y);
    if (short_side >= 1) impl.fonts->set_short_side(short_side);
    if (impl.fonts->rebuild_pending()) impl.rebuild_fonts();

    const ImVec2 drawable = impl.drawable_size();
    io.DisplaySize = window_size;
    if (window_size.x > 0 && window_size.y > 0)
        io.DisplayFramebufferScale = ImVec2(drawable.x / window_size.x, drawable.y / window_size.y);
    const Clock::time_point now = Clock::now();
    io.DeltaTime = std::max(1e-4f, std::chrono::duration<float>(now - impl.last_frame).count());
    impl.last_frame = now;

    const PointerQueue::State pointer = impl.pointer.next_frame();
    io.MousePos = pointer.pos;
    io.MouseDown[0] = pointer.down;
    for (int button = 1; button < IM_ARRAYSIZE(io.MouseDown); ++button) io.MouseDown[button] = false;

    ImGui_ImplOpenGL3_NewFrame();
    impl.shaped->begin_frame();
    ImGui::NewFrame();
    impl.in_frame = true;
    return input;
}

void Window::end_frame() {
    Impl& impl = *impl_;
    ImGui::Render();
    impl.in_frame = false;
    const ImVec2 drawable = impl.drawable_size();
    glViewport(0, 0, static_cast<GLsizei>(drawable.x), static_cast<GLsizei>(drawable.y));
    const ImVec4 background = ImGui::ColorConvertU32ToFloat4(palette().background);
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    SDL_GL_SwapWindow(impl.window);
}

ImVec2 Window::size() const { return impl_->drawable_size(); }

Fonts& Window::fonts() { return *impl_->fonts; }

double Window::last_font_rebuild_ms() const { return impl_->rebuild_ms; }

std::expected<void, std::string> Window::save_screenshot(const std::filesystem::path& png) const {
    ImDrawData* data = ImGui::GetDrawData();
    if (data == nullptr || !data->Valid) return std::unexpected("no frame has been drawn yet");
    const ImVec2 drawable = impl_->drawable_size();
    const int width = static_cast<int>(drawable.x), height = static_cast<int>(drawable.y);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::ColorConvertU32ToFloat4(palette().background);
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(data);
    glFinish();

    Image flipped(width, height, PixelFormat::rgb24);
    Image image(width, height, PixelFormat::rgb24);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, flipped.data());
    if (glGetError() != GL_NO_ERROR) return std::unexpected("the frame could not be read back from OpenGL");
    // GL's rows run bottom to top.
    for (int y = 0; y < height; ++y) std::copy_n(flipped.row(height - 1 - y), image.stride(), image.row(y));
    return write_png(image.view(), png.string());
}

} // namespace kiosk::render
