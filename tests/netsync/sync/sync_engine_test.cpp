// The sync engine on its own thread with its own store connection, against the pretix emulator:
// it downloads, uploads an admission recorded through another connection within its interval,
// reports its status, and its destructor cancels a request in flight instead of waiting for it.
// Every wait polls with a deadline.
#include "tests/netsync/sync/sync_fixture.h"

#include <future>

#include <gmock/gmock.h>

namespace kiosk::sync::testing {
namespace {

class SyncEngineTest : public SyncTest {
protected:
    SyncSettings engine_settings() const {
        SyncSettings s = settings();
        s.upload_interval = std::chrono::seconds(1);
        s.download_interval = std::chrono::seconds(2);
        return s;
    }
};

TEST_F(SyncEngineTest, DownloadsUploadsReportsAndStopsPromptlyWhileTheServerIsSlow) {
    auto engine = std::make_unique<SyncEngine>(engine_settings(), db_path);
    engine->start();
    ASSERT_TRUE(eventually([&] { return engine->status().last_success.has_value(); }))
        << "first sync: " << engine->status().last_error;
    EXPECT_EQ(stored_positions(), server_positions());

    // An admission through the kiosk's own connection reaches the server by itself.
    const json ticket = new_ticket();
    ASSERT_TRUE(eventually([&] { return check(ticket["secret"]).status == VerdictStatus::ok; })) << "the next download brings it";
    const std::string nonce = admit(ticket["secret"]);
    engine->request_upload();
    ASSERT_TRUE(eventually([&] { return accepted(nonce) == 1; })) << engine->status().last_error;
    ASSERT_TRUE(eventually([&] {
        const SyncStatus status = engine->status();
        return status.online && status.pending_uploads == 0 && status.last_error.empty();
    })) << engine->status().last_error;
    EXPECT_FALSE(engine->status().stopped);

    // The server turns slow; the engine is in the middle of a request when it is destroyed.
    pretix.fault({{"path", "/api/v1/"}, {"kind", "slow"}, {"seconds", 30}, {"count", 100}});
    const int64_t fired_before = static_cast<int64_t>(pretix.admin("GET", "/faults")["fired"].size());
    engine->request_sync();
    ASSERT_TRUE(eventually([&] { return static_cast<int64_t>(pretix.admin("GET", "/faults")["fired"].size()) > fired_before; }));
    auto stopped = std::async(std::launch::async, [&] { engine.reset(); });
    EXPECT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready)
        << "the destructor cancels the request in flight instead of waiting 30 s for it";
    stopped.wait();
    EXPECT_EQ(accepted(nonce), 1);
}

TEST_F(SyncEngineTest, RefusedTokenStopsTheEngineAndItsStatusIsReadThroughTheStore) {
    const json device = pretix.admin("POST", "/devices", {{"name", "Kiosk South"}});
    auto credentials = pretix::Api::initialize_device(pretix::Handshake{1, pretix.url(), device["init_token"].get<std::string>()},
                                                      pretix::DeviceInfo{}, client_options());
    ASSERT_TRUE(credentials) << credentials.error().message;
    SyncSettings s = engine_settings();
    s.connection.token = {http::ApiToken::Kind::device, credentials->api_token};
    const json ticket = new_ticket();
    SyncEngine engine(s, db_path);
    engine.start();
    ASSERT_TRUE(eventually([&] { return read_sync_status(store).last_success.has_value(); }));

    pretix.admin("POST", "/devices/" + std::to_string(credentials->device_id) + "/revoke");
    const std::string nonce = admit(ticket["secret"]);
    engine.request_upload();
    ASSERT_TRUE(eventually([&] { return engine.status().stopped; })) << engine.status().last_error;
    const SyncStatus status = read_sync_status(store);   // as `kioskctl status` reads it
    EXPECT_TRUE(status.stopped);
    EXPECT_THAT(status.last_error, ::testing::HasSubstr("token"));
    EXPECT_EQ(status.pending_uploads, 1u);
    EXPECT_EQ(to_json(status)["stopped"], true);
    EXPECT_EQ(accepted(nonce), 0);

}

} // namespace
} // namespace kiosk::sync::testing
