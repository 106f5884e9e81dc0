#include "netsync/pretix/import_dir.h"

#include <fstream>
#include <sstream>

namespace kiosk::pretix {

using nlohmann::json;

namespace {

// Absent optional files read as null; unreadable or malformed ones are errors.
json read_json_file(const std::filesystem::path& path, bool required) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (required) throw FormatError(path.filename().string() + ": file not found in " + path.parent_path().string());
        return nullptr;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FormatError(path.filename().string() + ": cannot be read");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    // pretix nests a few levels; thousands of levels are an attack on the stack, not data.
    constexpr int kMaxDepth = 64;
    const auto depth_guard = [&](int depth, json::parse_event_t, json&) {
        if (depth > kMaxDepth)
            throw FormatError(path.filename().string() + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
        return true;
    };
    try {
        return json::parse(buffer.str(), depth_guard);
    } catch (const json::parse_error& e) {
        // nlohmann's message names the byte offset; keep only its first line.
        std::string message = e.what();
        message = message.substr(0, message.find('\n'));
        throw FormatError(path.filename().string() + ": not valid JSON (" + message + ")");
    }
}

template <class Convert> void each_result(const std::filesystem::path& dir, const char* file, Convert&& convert) {
    const json page = read_json_file(dir / file, false);
    if (page.is_null()) return;
    const JsonPath root{std::string(file) + ": "};
    const json& results = list_results(page, root);
    const JsonPath results_path = page.is_array() ? root : root / "results";
    for (size_t i = 0; i < results.size(); ++i) convert(results[i], results_path / i);
}

} // namespace

DirectoryRead read_event_directory(const std::filesystem::path& directory, const std::string& organizer) {
    DirectoryRead out;
    if (organizer.empty()) {
        out.error = "an organizer slug is required (--organizer ORG)";
        return out;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(directory, ec)) {
        out.error = directory.string() + ": not a directory";
        return out;
    }
    try {
        EventImport import;
        import.event_raw = read_json_file(directory / "event.json", true);
        import.event = event_from_json(import.event_raw, organizer, JsonPath{"event.json: "});
        // Event ids are assigned by the store; 0 here means "this event".
        each_result(directory, "subevents.json", [&](const json& raw, const JsonPath& path) {
            import.subevents.push_back({subevent_from_json(raw, 0, path), raw});
        });
        each_result(directory, "items.json", [&](const json& raw, const JsonPath& path) {
            import.items.push_back({item_from_json(raw, 0, path), raw});
        });
        each_result(directory, "checkinlists.json", [&](const json& raw, const JsonPath& path) {
            import.lists.push_back({checkin_list_from_json(raw, 0, path), raw});
        });
        each_result(directory, "questions.json", [&](const json& raw, const JsonPath& path) {
            import.questions.push_back(question_from_json(raw, 0, path));
        });
        each_result(directory, "orders.json", [&](const json& raw, const JsonPath& path) {
            import.orders.push_back(order_from_json(raw, 0, path));
        });
        each_result(directory, "revokedsecrets.json", [&](const json& raw, const JsonPath& path) {
            import.revoked_secrets.push_back(revoked_secret_from_json(raw, path));
        });
        each_result(directory, "blockedsecrets.json", [&](const json& raw, const JsonPath& path) {
            import.blocked_secrets.push_back(blocked_secret_from_json(raw, path));
        });
        const json layouts = read_json_file(directory / "badgelayouts.json", false);
        if (!layouts.is_null()) import.badge_layouts = list_results(layouts, JsonPath{"badgelayouts.json: "});
        out.import = std::move(import);
    } catch (const FormatError& e) {
        out.error = e.what();
    } catch (const json::exception& e) {
        out.error = std::string("unexpected JSON shape: ") + e.what();
    }
    return out;
}

} // namespace kiosk::pretix
