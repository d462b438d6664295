#!/usr/bin/env bash
# The weekly cycle, runnable by cron (see docs/weekly.md):
#   1. export   the CRM export lands in $LEADSCORE_DATA (your export command, or files put there)
#   2. retrain  a challenger on it; it becomes champion only if it beats the champion
#   3. predict  this week's open contacts with the champion, kept as a dated list
#   4. monitor  the list scored one horizon ago, now that its outcomes are in
#
# crontab (Mondays 06:00, from the project folder that holds mlflow.db):
#   0 6 * * 1  cd /srv/leadscore && examples/weekly.sh >> logs/weekly.log 2>&1
set -euo pipefail

LEADSCORE=${LEADSCORE:-leadscore}                    # the command (e.g. .venv/bin/leadscore)
DATA=${LEADSCORE_DATA:-data/raw}                     # where the export's files are
CONTACTS=${LEADSCORE_CONTACTS:-$DATA/contacts.csv}
ACTIVITIES=${LEADSCORE_ACTIVITIES:-$DATA/activities.csv}
CONFIG=${LEADSCORE_CONFIG:-}                         # optional TOML config ([tracking] model_name …)
EXPORT_CMD=${LEADSCORE_EXPORT_CMD:-}                 # optional: a command writing the export
LISTS=${LEADSCORE_LISTS:-data/processed/weekly}      # dated lists and the model that scored each
MONITOR_AFTER_DAYS=${LEADSCORE_MONITOR_AFTER_DAYS:-90}  # the model's horizon: outcomes are in
TODAY=${LEADSCORE_TODAY:-$(date -u +%F)}             # the as-of date of this week's list

config=()
[[ -n $CONFIG ]] && config=(--config "$CONFIG")
mkdir -p "$LISTS"
echo "== leadscore weekly run, as of $TODAY"

# 1. export
if [[ -n $EXPORT_CMD ]]; then
    echo "-- export: $EXPORT_CMD"
    bash -c "$EXPORT_CMD"
fi
[[ -f $CONTACTS ]] || { echo "no export at $CONTACTS" >&2; exit 2; }

# 2. retrain: the challenger is promoted only if it wins on the most recent closed window
echo "-- retrain"
"$LEADSCORE" retrain "$CONTACTS" --activities "$ACTIVITIES" "${config[@]}"

# 3. predict with the champion (no --model: the champion), and keep which version scored
list="$LISTS/predictions-$TODAY.csv"
echo "-- predict -> $list"
"$LEADSCORE" predict "$CONTACTS" --activities "$ACTIVITIES" "${config[@]}" \
    --as-of "$TODAY" --out "$list" | tee "$LISTS/predict-$TODAY.log"
# "model: models:/NAME@champion (version 3) in …" -> models:/NAME/3
sed -n 's|^model: models:/\([^@]*\)@champion (version \([0-9]*\)).*|models:/\1/\2|p' \
    "$LISTS/predict-$TODAY.log" > "$LISTS/predictions-$TODAY.model"

# 4. monitor the newest list at least MONITOR_AFTER_DAYS old, with the model that scored it
cutoff=$(date -u -d "$TODAY - $MONITOR_AFTER_DAYS days" +%F)
old=""
for candidate in "$LISTS"/predictions-*.csv; do
    [[ -e $candidate ]] || continue
    day=${candidate##*/predictions-}
    day=${day%.csv}
    [[ ! $day > $cutoff ]] && old=$candidate
done
if [[ -z $old ]]; then
    echo "-- monitor: no list scored on or before $cutoff yet"
    exit 0
fi
day=${old##*/predictions-}
day=${day%.csv}
model=()
ref=$(cat "$LISTS/predictions-$day.model" 2>/dev/null || true)
[[ -n $ref ]] && model=(--model "$ref")
echo "-- monitor the list of $day ${ref:+(scored by $ref)}"
"$LEADSCORE" monitor "$CONTACTS" --activities "$ACTIVITIES" "${config[@]}" \
    --as-of "$day" --predictions "$old" "${model[@]}"
