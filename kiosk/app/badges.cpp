#include "kiosk/app/badges.h"

#include <fstream>

namespace kiosk {

namespace {

Outcome<printer::BadgeLayout> layout_from_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(path.string() + ": cannot be read");
    const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return std::unexpected(path.string() + ": not valid JSON");
    auto layout = printer::parse_badge_layout(json);
    if (!layout) return std::unexpected(path.string() + ": " + layout.error());
    return layout;
}

std::optional<Position> position_of(Store& store, const PrintJob& job) {
    for (Position& position : store.positions_by_secret(job.secret))
        if (position.event_id == job.event_id && (!job.position_id || position.id == *job.position_id))
            return std::move(position);
    return std::nullopt;
}

} // namespace

Outcome<std::optional<Badge>> badge_of(Store& store, const PrintJob& job,
                                       const std::optional<std::filesystem::path>& layout_file) {
    const auto catalog = store.catalog(job.event_id);
    if (!catalog) return std::unexpected("the ticket's event is not in the store");
    const auto position = position_of(store, job);
    if (!position) return std::unexpected("the ticket is not in the store yet (it was admitted by its signature)");
    const auto order = store.order(job.event_id, position->order);
    if (!order) return std::unexpected("the ticket's order is not in the store");

    std::optional<printer::BadgeLayout> layout;
    if (layout_file) {
        auto from_file = layout_from_file(*layout_file);
        if (!from_file) return std::unexpected(from_file.error());
        layout = std::move(*from_file);
    } else if (const auto layouts = store.badge_layouts(job.event_id)) {
        auto chosen = printer::layout_for_item(*layouts, position->item);
        if (!chosen) return std::unexpected("the event's badge layout cannot be used: " + chosen.error());
        if (!*chosen) return std::optional<Badge>();   // this product gets no badge
        layout = std::move(**chosen);
    } else {
        layout = printer::default_badge_layout();
    }
    return std::optional<Badge>(Badge{std::move(*layout), printer::badge_data_for(*position, *order, *catalog, job.language)});
}

} // namespace kiosk
