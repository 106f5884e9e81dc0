#include "kiosk/ui/status_poller.h"

#include <functional>

#include "kiosk/app/app.h"

namespace kiosk::ui {

namespace {

// Every string of an i18n dict (or a plain string).
void add_texts(const nlohmann::json& i18n, std::vector<std::string>& out) {
    if (i18n.is_string()) out.push_back(i18n.get<std::string>());
    else if (i18n.is_object())
        for (const auto& [language, text] : i18n.items())
            if (text.is_string()) out.push_back(text.get<std::string>());
}

} // namespace

StoreSnapshot read_store_snapshot(App& app) {
    StoreSnapshot snapshot;
    std::vector<const EventCatalog*> seen;
    for (const ListSummary& summary : app.lists()) {
        StoreSnapshot::List list{summary.list.id, summary.list.name, {}};
        snapshot.glyph_texts.push_back(summary.list.name);
        if (summary.catalog) {
            list.event_name = summary.catalog->event.name;
            list.event_timezone = summary.catalog->event.timezone;
            if (std::find(seen.begin(), seen.end(), summary.catalog.get()) == seen.end()) {
                seen.push_back(summary.catalog.get());
                const EventCatalog& catalog = *summary.catalog;
                add_texts(catalog.event.name, snapshot.glyph_texts);
                for (const Item& item : catalog.items) add_texts(item.name, snapshot.glyph_texts);
                for (const Question& question : catalog.questions) {
                    add_texts(question.question, snapshot.glyph_texts);
                    for (const QuestionOption& option : question.options) add_texts(option.answer, snapshot.glyph_texts);
                }
            }
        }
        snapshot.lists.push_back(std::move(list));
    }
    snapshot.glyph_generation = std::hash<std::string>{}(nlohmann::json(snapshot.glyph_texts).dump());
    snapshot.sync = app.sync_status();
    return snapshot;
}

StatusPoller::StatusPoller(std::string db_path, std::chrono::milliseconds interval)
    : db_path_(std::move(db_path)), interval_(interval), snapshot_(std::make_shared<StoreSnapshot>()) {
    thread_ = std::thread([this] { run(); });
}

StatusPoller::~StatusPoller() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::shared_ptr<const StoreSnapshot> StatusPoller::snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

void StatusPoller::poll_now() {
    {
        std::lock_guard lock(mutex_);
        poll_now_ = true;
    }
    wake_.notify_all();
}

void StatusPoller::run() {
    std::unique_ptr<App> app;
    int64_t version = 0;
    for (;;) {
        auto next = std::make_shared<StoreSnapshot>();
        next->version = ++version;
        try {
            if (!app) app = std::make_unique<App>(db_path_);
            *next = read_store_snapshot(*app);
            next->version = version;
        } catch (const std::exception& failure) {
            app.reset();
            next->store_failed = true;
            next->store_error = failure.what();
        }
        std::unique_lock lock(mutex_);
        snapshot_ = std::move(next);
        wake_.wait_for(lock, interval_, [&] { return stopping_ || poll_now_; });
        if (stopping_) return;
        poll_now_ = false;
    }
}

} // namespace kiosk::ui
