# The shared PostgreSQL hub: replication lag, catch-up after offline, events/s through the hub.
# Starts its own throwaway cluster (needs the postgresql package from scripts/setup.sh).
echo "## Hub replication (\`cargo bench -p shelfsync-hub --bench hub\`)"
echo
cargo bench -q -p shelfsync-hub --bench hub
