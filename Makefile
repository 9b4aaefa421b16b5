# The two commands a new machine needs. Each installs what it uses (apt, npm, cargo tools),
# skipping what is already there, then builds.
#   make run   - launch the desktop app on an embedded database in demo mode
#   make test  - run every test: engine crates, UI logic, end-to-end in a real window, and
#                the Debian package installed and started on this machine
#   make package - build the Debian package (app, CLI, desktop entry, icons, systemd unit)
SHELL := /bin/bash
.PHONY: run test setup test-engine test-ui test-e2e test-package package app bench bench-quick

setup:
	bash scripts/setup.sh

app: setup
	bash scripts/build-app.sh

run: app
	./target/debug/shelfsync-app

# Order matters: the app crate embeds ui/dist at compile time, so the UI is built before the
# workspace tests compile; and the e2e binary is rebuilt last, with the custom-protocol
# feature the Tauri CLI adds, because the workspace test build overwrites the same path.
test: setup
	$(MAKE) test-ui
	npm --prefix ui run build
	$(MAKE) test-engine
	$(MAKE) test-e2e
	$(MAKE) test-package

# The tests build the app with its `demo` feature (src-tauri/Cargo.toml says how); the check
# after them keeps the build without the demo compiling, which no test build covers.
test-engine:
	cargo nextest run --workspace --exclude shelfsync-e2e --no-fail-fast
	cargo check -q -p shelfsync-app

test-ui:
	npm --prefix ui test

test-e2e: app
	bash scripts/e2e.sh

# The .deb, debug like the e2e build (scripts/package.sh says why). No `app` prerequisite: the
# Tauri CLI's deb build builds the UI and the app itself, reusing what the e2e step compiled.
package: setup
	bash scripts/package.sh

# Builds the package, installs it with dpkg (root), checks and starts what it installed, removes it.
test-package: setup
	bash scripts/package-test.sh

bench:
	bash scripts/bench.sh

# Every benchmark scaled down (seconds each): proves they still run; CI reads no timings.
bench-quick:
	bash scripts/bench.sh --quick
