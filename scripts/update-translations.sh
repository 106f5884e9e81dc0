#!/usr/bin/env bash
# Refreshes the touchscreen's translation catalogs from the source (GNU gettext, Debian's `gettext`
# package). Run it after adding or changing a tr("..."), tr_ctx("context", "..."),
# tr_plural("one", "many", n) or N_("...") in kiosk/ui or kiosk/app, then fill in the new empty msgstr lines
# (and review the ones msgmerge marked `#, fuzzy`: they stay in English on screen until the flag
# is removed). translations_test fails while a shipped catalog has an empty msgstr, so a string
# cannot ship untranslated unnoticed.
#
# Translations of strings the source no longer uses are kept at the end of each .po as `#~`
# entries, and come back by themselves when the string returns.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob

template=assets/i18n/kiosk.pot
# The screens may not exist yet; a folder without sources contributes nothing.
sources=(kiosk/ui/*.cpp kiosk/app/*.cpp)

# -k alone drops xgettext's default C keywords (gettext, _, ...): only our own markers count.
# N_("...") marks an English msgid that is only stored where it is written (kiosk/app/flow.cpp's
# validation messages in the view) and translated later by a screen's tr(variable).
# --force-po writes the template even when no string is marked yet, so msgmerge never works
# from a stale one.
xgettext --from-code=UTF-8 -k -ktr -ktr_ctx:1c,2 -ktr_plural:1,2 -kN_ --language=C++ \
    --add-comments=TRANSLATORS: --package-name=kiosk --force-po \
    -o "$template" "${sources[@]}"

status=0
for po in assets/i18n/*.po; do
    msgmerge --quiet --update --backup=none --previous "$po" "$template"
    printf '%s: ' "$po"
    # --check also holds printf placeholders (c-format entries) to the msgid's.
    msgfmt --check --statistics -o /dev/null "$po" || status=1
done
exit "$status"
