// The schema is embedded with include_dir!, which cargo cannot see into: without this, a new
// or edited migration would not rebuild the crate and tests would run the old schema.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/workstation");
}
