// Every row of every table of a SQLite file as one string, for "the database is exactly as it
// was" assertions. Opens its own read-only connection.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace kiosk::testing {

inline std::string dump_database(const std::string& path) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(raw);
        throw std::runtime_error("cannot open " + path);
    }
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    auto rows = [&](const std::string& sql) {
        std::vector<std::string> out;
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
            throw std::runtime_error(sqlite3_errmsg(db.get()));
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> owned(statement, &sqlite3_finalize);
        while (sqlite3_step(statement) == SQLITE_ROW) {
            std::string row;
            for (int column = 0; column < sqlite3_column_count(statement); ++column) {
                const auto* text = sqlite3_column_text(statement, column);
                row += text ? std::string(reinterpret_cast<const char*>(text), size_t(sqlite3_column_bytes(statement, column)))
                            : "NULL";
                row += '|';
            }
            out.push_back(row);
        }
        return out;
    };
    std::string dump = "user_version=" + rows("PRAGMA user_version").at(0) + "\n";
    for (const std::string& table : rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
        const std::string name = table.substr(0, table.size() - 1);
        dump += "[" + name + "]\n";
        // Sorted here rather than in SQL: a virtual table (the FTS5 search index) may have a
        // single column, and its shadow tables are listed and dumped like any other.
        std::vector<std::string> table_rows = rows("SELECT * FROM \"" + name + "\"");
        std::sort(table_rows.begin(), table_rows.end());
        for (const std::string& row : table_rows) dump += row + "\n";
    }
    return dump;
}

} // namespace kiosk::testing
