//! The migrations are embedded by `sqlx::migrate!` at compile time: a new or changed migration file
//! must rebuild the crate, which cargo does not know on its own.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
