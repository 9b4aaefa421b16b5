// The hub schema is embedded with include_dir!, which cargo cannot see into.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/hub");
}
