#include "netsync/pretix/import_dir.h"

#include <fstream>
#include <sstream>

#include "netsync/pretix/pretix_json.h"

namespace kiosk::pretix {

using nlohmann::json;

namespace {

std::expected<std::string, std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(path.filename().string() + ": cannot be read");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Absent optional files read as null; unreadable or malformed ones are errors.
std::expected<json, std::string> read_json_file(const std::filesystem::path& path, bool required) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (required) return std::unexpected(path.filename().string() + ": file not found in " + path.parent_path().string());
        return json(nullptr);
    }
    const auto text = read_file(path);
    if (!text) return std::unexpected(text.error());
    return parse_json_text(*text, path.filename().string());
}

// Converts every entry of an optional list file with `convert(entry, path)` and hands each value
// to `add`; the first entry that does not convert is the error.
template <class Convert, class Add>
std::expected<void, std::string> each_result(const std::filesystem::path& dir, const char* file, Convert&& convert,
                                             Add&& add) {
    const auto page = read_json_file(dir / file, false);
    if (!page) return std::unexpected(page.error());
    if (page->is_null()) return {};
    const JsonPath root{std::string(file) + ": "};
    const auto results = list_results(*page, root);
    if (!results) return std::unexpected(results.error());
    const JsonPath results_path = page->is_array() ? root : root / "results";
    for (size_t i = 0; i < (*results)->size(); ++i) {
        auto value = convert((**results)[i], results_path / i);
        if (!value) return std::unexpected(value.error());
        add(std::move(*value));
    }
    return {};
}

std::expected<void, std::string> read_catalog(const std::filesystem::path& dir, EventCatalog& catalog) {
    // Event ids are assigned by the store; 0 here means "this event".
    auto subevent = [](const json& raw, const JsonPath& path) { return subevent_from_json(raw, 0, path); };
    auto item = [](const json& raw, const JsonPath& path) { return item_from_json(raw, 0, path); };
    auto list = [](const json& raw, const JsonPath& path) { return checkin_list_from_json(raw, 0, path); };
    auto question = [](const json& raw, const JsonPath& path) { return question_from_json(raw, 0, path); };
    // g++ 12's std::expected has no and_then yet: one early return per file.
    if (auto read = each_result(dir, "subevents.json", subevent, [&](SubEvent v) { catalog.subevents.push_back(std::move(v)); });
        !read)
        return read;
    if (auto read = each_result(dir, "items.json", item, [&](Item v) { catalog.items.push_back(std::move(v)); }); !read)
        return read;
    if (auto read = each_result(dir, "checkinlists.json", list, [&](CheckinList v) { catalog.lists.push_back(std::move(v)); });
        !read)
        return read;
    return each_result(dir, "questions.json", question, [&](Question v) { catalog.questions.push_back(std::move(v)); });
}

std::expected<void, std::string> read_orders_and_secrets(const std::filesystem::path& dir, EventImport& import) {
    auto order = [](const json& raw, const JsonPath& path) { return order_from_json(raw, 0, path); };
    if (auto read = each_result(dir, "orders.json", order, [&](ImportedOrder v) { import.orders.push_back(std::move(v)); });
        !read)
        return read;
    if (auto read = each_result(dir, "revokedsecrets.json", revoked_secret_from_json,
                                [&](std::string v) { import.revoked_secrets.push_back(std::move(v)); });
        !read)
        return read;
    return each_result(dir, "blockedsecrets.json", blocked_secret_from_json,
                       [&](BlockedSecret v) { import.blocked_secrets.push_back(std::move(v)); });
}

std::expected<void, std::string> read_badge_layouts(const std::filesystem::path& dir, EventImport& import) {
    const auto layouts = read_json_file(dir / "badgelayouts.json", false);
    if (!layouts) return std::unexpected(layouts.error());
    if (layouts->is_null()) return {};
    const auto results = list_results(*layouts, JsonPath{"badgelayouts.json: "});
    if (!results) return std::unexpected(results.error());
    import.badge_layouts = **results;
    return {};
}

} // namespace

std::expected<EventImport, std::string> read_event_directory(const std::filesystem::path& directory,
                                                             const std::string& organizer) {
    if (organizer.empty()) return std::unexpected("an organizer slug is required (--organizer ORG)");
    std::error_code ec;
    if (!std::filesystem::is_directory(directory, ec)) return std::unexpected(directory.string() + ": not a directory");

    EventImport import;
    const auto event_json = read_json_file(directory / "event.json", true);
    if (!event_json) return std::unexpected(event_json.error());
    auto event = event_from_json(*event_json, organizer, JsonPath{"event.json: "});
    if (!event) return std::unexpected(event.error());
    import.catalog.event = std::move(*event);
    if (auto read = read_catalog(directory, import.catalog); !read) return std::unexpected(read.error());
    if (auto read = read_orders_and_secrets(directory, import); !read) return std::unexpected(read.error());
    if (auto read = read_badge_layouts(directory, import); !read) return std::unexpected(read.error());
    return import;
}

} // namespace kiosk::pretix
