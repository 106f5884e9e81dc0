// make_ticket_client: the one place that knows every TicketClient.
#include <stdexcept>

#include "netsync/backend/ticket_client.h"
#include "netsync/brightstar/brightstar_client.h"
#include "netsync/constantcontact/constantcontact_client.h"
#include "netsync/oveit/oveit_client.h"

namespace kiosk::backend {

std::unique_ptr<TicketClient> make_ticket_client(Kind kind, const Connection& connection) {
    switch (kind) {
    case Kind::constantcontact: return std::make_unique<constantcontact::ConstantContactClient>(connection);
    case Kind::oveit: return std::make_unique<oveit::OveitClient>(connection);
    case Kind::brightstar: return std::make_unique<brightstar::BrightStarClient>(connection);
    case Kind::pretix: break;
    }
    throw std::invalid_argument("pretix has its own adapter (netsync/pretix), not a TicketClient");
}

} // namespace kiosk::backend
