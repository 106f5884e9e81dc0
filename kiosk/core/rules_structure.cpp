#include "kiosk/core/rules_structure.h"

#include <string>

#include "kiosk/core/rules_vocabulary.h"

namespace kiosk::jsonlogic {

namespace {

using json = nlohmann::json;

// Data inside a multi-key object is never evaluated, so only its depth matters.
RuleResult<void> check_data_depth(const json& node, int depth) {
    if (auto nesting = check_depth(depth); !nesting) return nesting;
    if (!node.is_structured()) return {};
    for (const auto& item : node)
        if (auto checked = check_data_depth(item, depth + 1); !checked) return checked;
    return {};
}

// Operands sit one level below their operator, whether or not they are wrapped in an array,
// exactly as the evaluator descends.
RuleResult<void> check_node(const json& node, int depth) {
    if (auto nesting = check_depth(depth); !nesting) return nesting;
    if (node.is_array()) {
        for (const auto& item : node)
            if (auto checked = check_node(item, depth + 1); !checked) return checked;
        return {};
    }
    if (is_operation(node)) {
        const std::string& name = operation_name(node);
        if (!find_operator(name)) return invalid_rule("unknown operator \"" + name + "\"");
        const Operands operands = Operands::of(node);
        for (size_t i = 0; i < operands.size(); ++i)
            if (auto checked = check_node(operands[i], depth + 1); !checked) return checked;
        return {};
    }
    if (node.is_object()) return check_data_depth(node, depth);
    return {};
}

} // namespace

RuleResult<void> check_structure(const json& rule) { return check_node(rule, 0); }

} // namespace kiosk::jsonlogic
