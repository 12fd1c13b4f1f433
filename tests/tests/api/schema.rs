//! The committed SDL is the schema the code serves.

#[test]
fn the_committed_sdl_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = medtour::graphql::sdl();
    assert!(
        committed == current,
        "api/schema.graphql is stale: run `cargo run -p medtour-api -- schema > api/schema.graphql`"
    );
}
