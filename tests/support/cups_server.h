// A private CUPS scheduler for printing tests: its own ServerRoot, spool and logs in a temporary
// directory, listening on a free loopback port, with one cups-pdf queue whose PDFs land in that
// directory too. Stopped (and everything removed) by the destructor.
//
// Why root: cups-pdf refuses to run without root privileges, and a scheduler started by another
// user cannot run it as root. Without root (or without cupsd / cups-pdf / ghostscript installed)
// the server is not started and skip_reason() says why; the tests skip.
//
// How the PDFs become private: cups-pdf reads its settings from /etc/cups/cups-pdf.conf only,
// except that a device URI cups-pdf:/NAME reads /etc/cups/cups-pdf-NAME.conf. The fixture writes
// such a file (Out, Spool and Log inside its own directory) under a unique NAME, and removes it.
// Filters run as the 'lp' user, so the scheduler's TempDir is world-writable (sticky).
//
// Thread rule: one test thread owns a server.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_listener.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk::testing {

class CupsServer {
public:
    static constexpr const char* cupsd_path = "/usr/sbin/cupsd";
    static constexpr const char* cups_pdf_backend = "/usr/lib/cups/backend/cups-pdf";
    static constexpr const char* cups_pdf_ppd = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd";

    explicit CupsServer(std::string queue = "badges") : queue_(std::move(queue)) {
        if (::geteuid() != 0) {
            skip_reason_ = "a private cupsd with a cups-pdf queue needs root (cups-pdf refuses to run otherwise)";
            return;
        }
        for (const char* needed : {cupsd_path, cups_pdf_backend, cups_pdf_ppd, "/usr/bin/gs"})
            if (!std::filesystem::exists(needed)) {
                skip_reason_ = std::string(needed) + " is not installed (packages cups, printer-driver-cups-pdf, ghostscript)";
                return;
            }
        std::random_device random;
        instance_ = "kiosktest" + std::to_string(::getpid()) + "x" + std::to_string(random() % 100000);
        for (int attempt = 0; attempt < 3 && !running(); ++attempt) start();
        if (!running()) return;
        // The queue: cups-pdf:/INSTANCE reads /etc/cups/cups-pdf-INSTANCE.conf.
        {
            std::ofstream conf(instance_conf());
            conf << "Out " << pdf_dir().string() << "\nAnonDirName " << pdf_dir().string() << "\nSpool " << (dir_.path() / "cups-pdf-spool").string()
                 << "\nLog " << (dir_.path() / "log").string() << "\nLabel 0\n";
        }
        // pdftops-renderer-default=pdftops: cups-filters' default (Ghostscript's ps2write at
        // LanguageLevel 2) turns embedded TrueType text into outlines, and pdftotext would find
        // no name in the PDF cups-pdf writes; poppler's pdftops keeps the fonts.
        const ProcessResult added = run_process({"lpadmin", "-h", server(), "-p", queue_, "-E", "-v", "cups-pdf:/" + instance_, "-P",
                                                 cups_pdf_ppd, "-o", "pdftops-renderer-default=pdftops"});
        if (added.exit_code() != 0) {
            skip_reason_ = "lpadmin could not add the cups-pdf queue: " + added.err;
            stop();
        }
    }
    CupsServer(const CupsServer&) = delete;
    CupsServer& operator=(const CupsServer&) = delete;
    ~CupsServer() { stop(); }

    bool running() const { return pid_ > 0; }
    const std::string& skip_reason() const { return skip_reason_; }
    std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
    const std::string& queue() const { return queue_; }
    std::filesystem::path pdf_dir() const { return dir_.path() / "pdf"; }
    std::filesystem::path error_log() const { return dir_.path() / "log" / "error_log"; }

    // cupsdisable / cupsenable / cupsreject on this server: the queue as staff would stop it.
    ProcessResult disable(const std::string& reason = "stopped by the test") const {
        return run_process({"cupsdisable", "-h", server(), "-r", reason, queue_});
    }
    ProcessResult enable() const { return run_process({"cupsenable", "-h", server(), queue_}); }
    ProcessResult reject() const { return run_process({"cupsreject", "-h", server(), queue_}); }

    // Another queue on this server, e.g. a raw socket:// printer that is not there.
    ProcessResult add_queue(const std::string& name, const std::string& device_uri) const {
        return run_process({"lpadmin", "-h", server(), "-p", name, "-E", "-v", device_uri, "-m", "raw"});
    }

    // The PDFs cups-pdf has written so far.
    std::vector<std::filesystem::path> pdfs() const {
        std::vector<std::filesystem::path> found;
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(pdf_dir(), error))
            if (entry.path().extension() == ".pdf") found.push_back(entry.path());
        return found;
    }

private:
    std::filesystem::path instance_conf() const { return "/etc/cups/cups-pdf-" + instance_ + ".conf"; }

    static uint16_t free_port() {
        // The kernel's pick, released just before cupsd binds it; start() retries on a clash.
        LoopbackListener probe([](LoopbackConnection&) {});
        return probe.port();
    }

    void start() {
        const std::filesystem::path root = dir_.path();
        for (const char* sub : {"root", "spool", "cache", "state", "log", "tmp", "pdf", "cups-pdf-spool"})
            std::filesystem::create_directories(root / sub);
        std::filesystem::permissions(root, std::filesystem::perms(0755));
        std::filesystem::permissions(root / "tmp", std::filesystem::perms(01777));
        port_ = free_port();
        {
            std::ofstream files(root / "root" / "cups-files.conf");
            files << "SystemGroup root\nServerRoot " << (root / "root").string() << "\nRequestRoot " << (root / "spool").string()
                  << "\nCacheDir " << (root / "cache").string() << "\nStateDir " << (root / "state").string() << "\nTempDir "
                  << (root / "tmp").string() << "\nErrorLog " << error_log().string() << "\nAccessLog " << (root / "log" / "access_log").string()
                  << "\nPageLog " << (root / "log" / "page_log").string() << "\n";
            std::ofstream conf(root / "root" / "cupsd.conf");
            conf << "Listen 127.0.0.1:" << port_ << "\nLogLevel info\nBrowsing No\nWebInterface No\nDefaultAuthType None\n"
                 << "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
                 << "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
                 << "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n";
        }
        const std::string conf = (root / "root" / "cupsd.conf").string(), files = (root / "root" / "cups-files.conf").string();
        const std::string output = (root / "log" / "cupsd.out").string();
        std::vector<std::string> argv{cupsd_path, "-f", "-c", conf, "-s", files};
        std::vector<char*> args;
        for (std::string& arg : argv) args.push_back(arg.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        pid_t pid = -1;
        const int rc = ::posix_spawn(&pid, cupsd_path, &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            skip_reason_ = "cupsd could not be started";
            return;
        }
        pid_ = pid;
        // Ready when lpstat gets an answer from it (10 s at most).
        for (int i = 0; i < 100; ++i) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                skip_reason_ = "cupsd exited at start (see " + output + ")";
                return;
            }
            if (run_process({"lpstat", "-h", server(), "-r"}).out.find("is running") != std::string::npos) {
                skip_reason_.clear();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        skip_reason_ = "cupsd did not answer on " + server() + " within 10 s";
        stop();
    }

    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            bool reaped = false;
            for (int i = 0; i < 100 && !reaped; ++i) {
                reaped = ::waitpid(pid_, &status, WNOHANG) == pid_;
                if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            if (!reaped) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
            }
            pid_ = -1;
        }
        if (!instance_.empty()) {
            std::error_code ignored;
            std::filesystem::remove(instance_conf(), ignored);
        }
    }

    std::string queue_;
    TempDir dir_;
    std::string instance_;
    uint16_t port_ = 0;
    pid_t pid_ = -1;
    std::string skip_reason_;
};

} // namespace kiosk::testing
