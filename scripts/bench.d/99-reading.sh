echo "## Reading the figures"
echo
cat <<'TEXT'
- The ledger floors write one row into one table. A ledger append writes the event, its
  balances (one or two upserts), its hash-chained audit entry and the outbox marking, with
  four indexes, two SHA-256 hashes and the rule checks, all in one transaction: the share of
  the floor is the cost of that bookkeeping, and it is the figure that stays comparable
  between a quiet and a busy machine.
- Durable appends are bound by fsync: the p99 follows the disk, as the floor beside it shows.
- The scanner's max is one scheduling stall; p99 is the figure to read.
TEXT
