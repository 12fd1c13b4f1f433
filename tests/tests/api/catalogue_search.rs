//! `search` and `city` compare case-insensitively beyond ASCII on both backends: they match
//! the copies folded in Rust when a clinic is written (SQLite's LOWER() folds ASCII only), and
//! the migration that added those copies folded the clinics already stored.

use chrono::Utc;
use entity::clinics;
use medtour::catalogue::folding::FoldedTexts;
use medtour::db::{self, StatementCounter};
use medtour_tests::{Backend, TestApp, fresh_database, on_both_backends};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{catalogue_app, clinic_with, slugs};

const LIST: &str = "query($f: ClinicFilter) { clinics(first: 100, filter: $f) { totalCount edges { node { slug } } } }";
const SLUG: &str = "clinica-angeles-avila";
const NAME: &str = "Clínica Ángeles";
const CITY: &str = "Ávila";
const DESCRIPTION: &str = "Regenerative medicine for patients from ÖSTERREICH and beyond.";

/// The slugs matching `filter`, after checking `totalCount` agrees.
async fn matching(app: &TestApp, filter: Value) -> Vec<String> {
    let data = app.data(LIST, json!({ "f": filter })).await;
    let found = slugs(&data["clinics"]);
    assert_eq!(data["clinics"]["totalCount"], found.len(), "totalCount of {filter}");
    found
}

on_both_backends! {
    /// A clinic whose name, city and description hold capitals beyond ASCII is found by
    /// `search` and `city` in lower, upper and mixed case, and a needle it lacks finds nothing.
    async fn search_and_city_find_capitals_beyond_ascii_in_any_case(backend: Backend) {
        let app = catalogue_app(backend).await;
        clinic_with(&app.state.db, SLUG, NAME, "ES", CITY, DESCRIPTION, true).await;
        let found = [
            ("name, lower case", json!({ "search": "ángeles" })),
            ("name, upper case", json!({ "search": "CLÍNICA ÁNGELES" })),
            ("city, lower case", json!({ "search": "ávila" })),
            ("city, upper case", json!({ "search": "ÁVILA" })),
            ("description, lower case", json!({ "search": "österreich" })),
            ("description, upper case", json!({ "search": "ÖSTERREICH" })),
            ("description, mixed case", json!({ "search": "Österreich AND" })),
            ("city filter, lower case", json!({ "city": "ávila" })),
            ("city filter, upper case", json!({ "city": "ÁVILA" })),
            ("city filter as written", json!({ "city": CITY })),
            ("city filter with search and country", json!({ "city": "ÁVILA", "search": "ÁNGELES", "countryCodes": ["es"] })),
        ];
        for (what, filter) in found {
            assert_eq!(matching(&app, filter.clone()).await, [SLUG], "{what}: {filter}");
        }
        let not_found = [
            ("a word no clinic has", json!({ "search": "ÁNGELUS" })),
            ("a needle across name and city", json!({ "search": "ángeles ávila" })),
            ("part of a city, which must match whole", json!({ "city": "ÁVIL" })),
            ("another city", json!({ "city": "SEGOVIA" })),
            ("the right city in another country", json!({ "city": "ávila", "countryCodes": ["MX"] })),
        ];
        for (what, filter) in not_found {
            assert_eq!(matching(&app, filter.clone()).await, Vec::<String>::new(), "{what}: {filter}");
        }
    }
}

/// A database migrated up to, and not including, the migration that adds the folded copies.
async fn database_before_folding(backend: Backend) -> (DatabaseConnection, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database(backend).await;
    let conn = db::connect(&url, 2, &StatementCounter::default()).await.expect("the database is reachable");
    Migrator::up(&conn, Some(3)).await.expect("the first three migrations apply");
    (conn, dir)
}

/// The stored row of the clinic with `slug`.
async fn stored(conn: &DatabaseConnection, slug: &str) -> clinics::Model {
    let found = clinics::Entity::find().filter(clinics::Column::Slug.eq(slug)).one(conn).await;
    found.expect("clinics are readable").unwrap_or_else(|| panic!("no clinic {slug}"))
}

on_both_backends! {
    /// The migration folds the texts of clinics stored before it exactly as the API folds a
    /// clinic it writes, and rolling it back and applying it again folds them again.
    async fn the_migration_folds_clinics_stored_before_it_as_the_api_would(backend: Backend) {
        let (conn, _dir) = database_before_folding(backend).await;
        let now = Utc::now();
        let old_row = clinics::ActiveModel {
            slug: Set(SLUG.into()),
            name: Set(NAME.into()),
            country_code: Set("ES".into()),
            city: Set(CITY.into()),
            description: Set(DESCRIPTION.into()),
            languages: Set(json!(["es"])),
            safety_score: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        // Without returning: the model has columns this schema does not have yet.
        clinics::Entity::insert(old_row).exec_without_returning(&conn).await.expect("a clinic of the old schema");

        let expected = FoldedTexts::of(NAME, CITY, DESCRIPTION);
        Migrator::up(&conn, None).await.expect("the folding migration applies over stored clinics");
        let row = stored(&conn, SLUG).await;
        assert_eq!((row.search_text, row.city_folded), (expected.search_text.clone(), expected.city_folded.clone()));

        // The administration migration came later: it rolls back first, then the folding one.
        Migrator::down(&conn, Some(2)).await.expect("the folding migration rolls back");
        Migrator::up(&conn, None).await.expect("the folding migration applies again");
        let row = stored(&conn, SLUG).await;
        assert_eq!((row.search_text, row.city_folded), (expected.search_text, expected.city_folded));
    }
}
