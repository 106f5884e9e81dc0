// make_ticket_client: the one place that knows every TicketClient.
#include <stdexcept>

#include "netsync/backend/ticket_client.h"
#include "netsync/constantcontact/constantcontact_client.h"

namespace kiosk::backend {

std::unique_ptr<TicketClient> make_ticket_client(Kind kind, const Connection& connection) {
    switch (kind) {
    case Kind::constantcontact: return std::make_unique<constantcontact::ConstantContactClient>(connection);
    case Kind::pretix: break;
    case Kind::oveit:
    case Kind::brightstar:
        // Landing next (issue 12): until then a kiosk configured for them says so instead of syncing.
        throw std::invalid_argument(std::string(kind_name(kind)) + " is not built into this kiosk yet");
    }
    throw std::invalid_argument("pretix has its own adapter (netsync/pretix), not a TicketClient");
}

} // namespace kiosk::backend
