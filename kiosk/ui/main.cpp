// kiosk: the touchscreen appliance. Thin: parse the command line, build the shell, run it.
#include <cstdio>
#include <exception>

#include "kiosk/ui/kiosk_shell.h"

int main(int argc, char** argv) {
    const auto line = kiosk::ui::parse_kiosk_command_line(argc, argv);
    if (!line) {
        std::fputs(line.error().text.c_str(), line.error().code == 0 ? stdout : stderr);
        return line.error().code;
    }
    try {
        auto shell = kiosk::ui::KioskShell::create(*line);
        if (!shell) {
            std::fprintf(stderr, "kiosk: %s\n", shell.error().c_str());
            return 2;
        }
        return (*shell)->run();
    } catch (const std::exception& failure) {
        std::fprintf(stderr, "kiosk: %s\n", failure.what());
        return 2;
    }
}
