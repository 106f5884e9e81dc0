// The badge print queue end to end on the demo event: tickets admitted with App::scan, their badges
// queued with App::queue_badge, printed by a PrintQueue on its own thread to the loopback Zebra,
// and read back from what the printer received (each label's graphic field decoded, its QR read
// by zbarimg). A badge prints once per ticket unless staff reprint it; a printer out of labels or
// unreachable fails the job in words and the queue tries again; a restart loses no job and prints
// none twice. Synchronisation is by polling drain() against a deadline, never by sleeping.
#include "kiosk/app/print_queue.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "image/png.h"
#include "kiosk/app/app.h"
#include "kiosk/core/time.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zebra_printer.h"

namespace kiosk {
namespace {

using kiosk::testing::TempDir;
using kiosk::testing::ZebraPrinter;
using kiosk::testing::ZebraState;
using Clock = std::chrono::steady_clock;

const std::filesystem::path kDemo = std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "demo";
constexpr int64_t kMainEntrance = 11;
constexpr const char* kDoorsOpen = "2027-03-16T09:30:00+01:00";

// Paid conference passes admitted on list 11 at kDoorsOpen, their names in several scripts.
const std::vector<std::string> kTickets = {
    "8bmub2af8hgcku36aguwaaxpxzuhkdcq",   // Samuel Ashworth
    "qq439sbnj28wtp2aa98hh37j5c2nta6f",   // يوسف العلي
    "vhxgzz8hksmpwha9rqpw2qywpf6j92tr",   // דניאל פרידמן
    "z4et5p3yjs7kk2ygqttrtqy5xnm2zugu",   // 刘娜
    "4hh5d35ef369en69byeskn78ydrcak5n",   // Михаил Фёдоров
    "estxv53zm4muys2fnaudf32j6k584aqc",   // İbrahim Öztürk
    "8ax89kg3qr9e5w75ycwg39agph2nzgzc",   // Ελένη Παππά
    "hngcpf8vbxykxscgucgu4nw7s83wn52n",   // 김현우
};

// What zbarimg reads on a label the Zebra received (its ^GFA field as a PNG with a white margin).
std::string read_label(const std::string& label, const TempDir& dir) {
    const auto raster = kiosk::testing::decode_zpl_label(label);
    if (!raster) return "undecodable label: " + raster.error();
    const int margin = 24;
    Image image(raster->width + 2 * margin, raster->height + 2 * margin, PixelFormat::gray8, 255);
    for (int y = 0; y < raster->height; ++y)
        for (int x = 0; x < raster->width; ++x)
            if (raster->black(x, y)) image.row(y + margin)[x + margin] = 0;
    const std::string path = dir.file("label-" + std::to_string(std::random_device()()) + ".png");
    if (auto written = write_png(image.view(), path); !written) return "write_png: " + written.error();
    const auto read = kiosk::testing::run_process({"zbarimg", "--raw", "-q", path});
    std::string text = read.out;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return read.exit_code() == 0 ? text : "zbarimg exit " + std::to_string(read.exit_code()) + ": " + read.err;
}

// Labels received per secret read from them.
std::map<std::string, int> labels_per_secret(const ZebraPrinter& printer, const TempDir& dir) {
    std::map<std::string, int> counts;
    for (const std::string& label : printer.labels()) ++counts[read_label(label, dir)];
    return counts;
}

// The latest event per job, gathered from drain() until `done` holds or the deadline passes.
class EventLog {
public:
    bool wait(PrintQueue& queue, const std::function<bool(const EventLog&)>& done,
              std::chrono::seconds limit = std::chrono::seconds(20)) {
        const auto deadline = Clock::now() + limit;
        while (true) {
            for (PrintEvent& event : queue.drain()) {
                all.push_back(event);
                latest[event.job] = event;
            }
            if (done(*this)) return true;
            if (Clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));   // a poll, not a synchronisation
        }
    }
    bool in_state(int64_t job, PrintJobState state) const {
        const auto found = latest.find(job);
        return found != latest.end() && found->second.state == state;
    }
    bool all_in_state(const std::vector<int64_t>& jobs, PrintJobState state) const {
        return std::all_of(jobs.begin(), jobs.end(), [&](int64_t job) { return in_state(job, state); });
    }
    size_t count(PrintJobState state) const {
        return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const PrintEvent& e) { return e.state == state; }));
    }

    std::vector<PrintEvent> all;
    std::map<int64_t, PrintEvent> latest;
};

class PrintQueueTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto imported = app.import_pretix_directory(kDemo, "demo");
        ASSERT_TRUE(imported) << imported.error();
    }

    ScanOutcome admit(const std::string& secret) {
        ScanRequest request;
        request.raw = secret;
        request.lists = {kMainEntrance};
        request.now = *parse_iso8601(kDoorsOpen);
        auto outcome = app.scan(request);
        EXPECT_TRUE(outcome) << outcome.error();
        if (!outcome) return {};
        EXPECT_EQ(outcome->verdict.status, VerdictStatus::ok) << secret << ": " << outcome->verdict.explanation;
        return *outcome;
    }
    // Admits the ticket and queues its badge, as the kiosk does after admission.
    PrintJob admit_and_queue(const std::string& secret) {
        const auto job = app.queue_badge(admit(secret), "en");
        EXPECT_TRUE(job) << job.error();
        return job ? *job : PrintJob{};
    }
    PrintQueueSettings settings(std::string uri) const {
        PrintQueueSettings settings;
        settings.db_path = path;
        settings.printer_uri = std::move(uri);
        settings.retry_interval = std::chrono::seconds(1);
        return settings;
    }
    PrintJobState stored_state(int64_t job) { return store.print_job(job)->state; }
    int64_t printed(const PrintJob& job) { return store.print_count(job.position_id, job.secret); }

    TempDir dir;
    std::string path = dir.file("kiosk.db");
    App app{path};
    Store store{path};                      // the test's own connection, to read what the queue recorded
    ZebraPrinter zebra;
};

TEST_F(PrintQueueTest, AdmittedTicketsBadgesPrintAndTheirLabelsScanAsTheirSecrets) {
    std::vector<int64_t> jobs;
    for (size_t i = 0; i < 5; ++i) jobs.push_back(admit_and_queue(kTickets[i]).id);
    PrintQueue queue(settings(zebra.uri()));
    queue.start();
    queue.wake();
    EventLog log;
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.all_in_state(jobs, PrintJobState::done); }))
        << log.all.size() << " events, " << zebra.labels().size() << " labels";
    EXPECT_EQ(log.count(PrintJobState::failed), 0u);
    EXPECT_EQ(queue.printer_status().state, printer::PrinterState::ready);

    const auto labels = labels_per_secret(zebra, dir);
    std::map<std::string, int> expected;
    for (size_t i = 0; i < 5; ++i) expected[kTickets[i]] = 1;
    EXPECT_EQ(labels, expected);
    for (const int64_t id : jobs) {
        const auto job = store.print_job(id);
        EXPECT_EQ(job->state, PrintJobState::done);
        EXPECT_EQ(job->attempts, 1);
        EXPECT_EQ(printed(*job), 1);
    }
}

TEST_F(PrintQueueTest, TheSameTicketQueuedTwicePrintsOnceAndAStaffReprintPrintsAgain) {
    const ScanOutcome admission = admit(kTickets[0]);
    const auto first = app.queue_badge(admission, "en");
    const auto second = app.queue_badge(admission, "en");   // the attendee's second scan, before printing
    ASSERT_TRUE(first && second);
    EXPECT_EQ(second->id, first->id);

    PrintQueue queue(settings(zebra.uri()));
    queue.start();
    EventLog log;
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(first->id, PrintJobState::done); }));
    const auto third = app.queue_badge(admission, "en");    // and once more after the badge came out
    ASSERT_TRUE(third);
    EXPECT_EQ(third->id, first->id);
    EXPECT_EQ(third->state, PrintJobState::done);
    // A barrier: jobs print oldest first, so once another ticket's badge is done, a second job for
    // the first ticket (had there been one) would have printed too.
    const int64_t barrier = admit_and_queue(kTickets[1]).id;
    queue.wake();
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(barrier, PrintJobState::done); }));
    EXPECT_EQ(printed(*first), 1);
    EXPECT_EQ(labels_per_secret(zebra, dir), (std::map<std::string, int>{{kTickets[0], 1}, {kTickets[1], 1}}));

    // Staff reprint it (kioskctl print while the kiosk's queue runs): another badge, counted.
    PrintRequest reprint;
    reprint.raw = kTickets[0];
    reprint.list = kMainEntrance;
    reprint.printer_uri = zebra.uri();
    const auto report = app.print_badge(reprint);
    ASSERT_TRUE(report) << report.error();
    EXPECT_EQ(report->state, PrintJobState::done) << report->reason;
    EXPECT_NE(report->job, first->id);
    EXPECT_EQ(printed(*first), 2);
    // The queue does not print the staff's job a second time.
    const int64_t barrier2 = admit_and_queue(kTickets[2]).id;
    queue.wake();
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(barrier2, PrintJobState::done); }));
    EXPECT_EQ(labels_per_secret(zebra, dir),
              (std::map<std::string, int>{{kTickets[0], 2}, {kTickets[1], 1}, {kTickets[2], 1}}));
    EXPECT_FALSE(log.latest.contains(report->job)) << "the queue touched the staff's reprint job";
}

TEST_F(PrintQueueTest, OutOfLabelsFailsTheJobInWordsAndItPrintsOnRetryOnceRefilled) {
    zebra.set_state({.paper_out = true});
    const PrintJob job = admit_and_queue(kTickets[3]);
    PrintQueue queue(settings(zebra.uri()));
    queue.start();
    EventLog log;
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(job.id, PrintJobState::failed); }));
    EXPECT_EQ(log.latest[job.id].message, "The printer is out of labels.");
    EXPECT_EQ(queue.printer_status().state, printer::PrinterState::out_of_media);
    EXPECT_EQ(queue.printer_status().message, "The printer is out of labels.");
    const auto stored = store.print_job(job.id);
    EXPECT_EQ(stored->state, PrintJobState::failed);
    EXPECT_EQ(stored->last_error, "The printer is out of labels.");
    EXPECT_TRUE(zebra.labels().empty());
    EXPECT_EQ(printed(job), 0);

    zebra.set_state({});   // staff load a new roll
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(job.id, PrintJobState::done); }));
    EXPECT_EQ(queue.printer_status().state, printer::PrinterState::ready);
    EXPECT_EQ(labels_per_secret(zebra, dir), (std::map<std::string, int>{{kTickets[3], 1}}));
    EXPECT_EQ(printed(job), 1);
    EXPECT_EQ(stored_state(job.id), PrintJobState::done);
    EXPECT_GE(store.print_job(job.id)->attempts, 2);
}

TEST_F(PrintQueueTest, ARestartWithJobsPendingLosesNoneAndPrintsNoneTwice) {
    std::vector<PrintJob> jobs;
    for (const std::string& secret : kTickets) jobs.push_back(admit_and_queue(secret));
    {
        PrintQueue queue(settings(zebra.uri()));
        queue.start();
        EventLog log;
        ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.count(PrintJobState::done) >= 1; }));
    }   // the kiosk closes with jobs still queued: the badge being printed finishes, the rest wait
    std::vector<int64_t> pending;
    for (const PrintJob& job : jobs)
        if (stored_state(job.id) != PrintJobState::done) pending.push_back(job.id);
    ASSERT_GE(pending.size(), 2u) << "the first queue printed nearly everything before it was stopped";
    for (const int64_t id : pending) EXPECT_EQ(stored_state(id), PrintJobState::queued);
    // A crash while the next job was printing (before any of it reached the printer) leaves it 'printing'.
    const Timestamp now = now_utc();
    store.set_print_state(pending.back(), PrintJobState::printing, std::nullopt, now, now);

    PrintQueue restarted(settings(zebra.uri()));
    restarted.start();
    EventLog log;
    ASSERT_TRUE(log.wait(restarted, [&](const EventLog& l) { return l.all_in_state(pending, PrintJobState::done); }))
        << zebra.labels().size() << " labels";
    std::map<std::string, int> expected;
    for (const std::string& secret : kTickets) expected[secret] = 1;
    EXPECT_EQ(labels_per_secret(zebra, dir), expected);
    for (const PrintJob& job : jobs) {
        EXPECT_EQ(stored_state(job.id), PrintJobState::done) << job.secret;
        EXPECT_EQ(printed(job), 1) << job.secret;
    }
    EXPECT_EQ(log.count(PrintJobState::failed), 0u);
}

TEST_F(PrintQueueTest, AnUnreachablePrinterFailsTheJobAsOffline) {
    testing::RefusingPort nobody;
    const PrintJob job = admit_and_queue(kTickets[4]);
    PrintQueue queue(settings("zpl://127.0.0.1:" + std::to_string(nobody.port())));
    queue.start();
    EventLog log;
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(job.id, PrintJobState::failed); }));
    const std::string& message = log.latest[job.id].message;
    EXPECT_NE(message.find("127.0.0.1:" + std::to_string(nobody.port())), std::string::npos) << message;
    EXPECT_NE(message.find("refused"), std::string::npos) << message;
    EXPECT_EQ(queue.printer_status().state, printer::PrinterState::offline);
    EXPECT_FALSE(queue.printer_status().message.empty());
    EXPECT_EQ(store.print_job(job.id)->last_error, message);
    EXPECT_EQ(printed(job), 0);
}

TEST_F(PrintQueueTest, ABadPrinterUriIsTheQueuesStatusAndPrintsNothing) {
    const PrintJob job = admit_and_queue(kTickets[4]);
    PrintQueue queue(settings("lpt:/dev/lp0"));
    queue.start();
    EventLog log;
    ASSERT_TRUE(log.wait(queue, [&](const EventLog&) { return queue.printer_status().state == printer::PrinterState::error; }));
    EXPECT_FALSE(queue.printer_status().message.empty());
    EXPECT_EQ(stored_state(job.id), PrintJobState::queued);
}

// kioskctl print --out (a staff preview to a file) records a reprint job for the ticket; the
// kiosk's print queue must not later print it on the badge printer.
TEST_F(PrintQueueTest, ABadgeWrittenToAFileIsNotPrintedLaterByTheQueue) {
    PrintRequest preview;
    preview.raw = kTickets[0];
    preview.list = kMainEntrance;
    preview.out_file = dir.path() / "preview.pdf";
    const auto report = app.print_badge(preview);
    ASSERT_TRUE(report) << report.error();
    ASSERT_EQ(report->state, PrintJobState::done);
    ASSERT_TRUE(std::filesystem::exists(*preview.out_file));
    const PrintJobState left = stored_state(report->job);

    PrintQueue queue(settings(zebra.uri()));
    queue.start();
    const int64_t barrier = admit_and_queue(kTickets[1]).id;   // printed after any older job
    queue.wake();
    EventLog log;
    ASSERT_TRUE(log.wait(queue, [&](const EventLog& l) { return l.in_state(barrier, PrintJobState::done); }));
    const auto labels = labels_per_secret(zebra, dir);
    // The file's job was settled when it was written: the queue prints only the admission's badge.
    EXPECT_EQ(labels, (std::map<std::string, int>{{kTickets[1], 1}}));
    EXPECT_NE(left, PrintJobState::queued);
}

} // namespace
} // namespace kiosk
