// The appliance: one window, its frame loop, and the workers around it (camera pipeline, flow
// worker, print queue, sync engine, status poller). Each frame it drains what the workers
// posted, feeds the flow, draws the flow's screen and runs the flow's commands; it never waits
// on the disk, the network, the printer or the decoder.
//
// Thread rule: create() and run() on the main thread, which becomes the UI thread.
#pragma once

#include <memory>

#include "kiosk/app/outcome.h"
#include "kiosk/ui/kiosk_options.h"

namespace kiosk::ui {

class KioskShell {
public:
    // Sets everything up (the demo store with --demo); a configuration or device problem is an
    // error sentence and exit code 2.
    static Outcome<std::unique_ptr<KioskShell>> create(const KioskCommandLine& command_line);
    ~KioskShell();
    int run();                              // until exit from the staff panel, the window closing, or SIGTERM

    struct Impl;
private:
    explicit KioskShell(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::ui
