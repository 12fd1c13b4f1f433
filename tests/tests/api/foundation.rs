//! The foundation: migrations, constraints, the demo loader, health and the first query.

use medtour::db::{self, StatementCounter};
use medtour::demo;
use medtour_tests::{Backend, fresh_database, on_both_backends, spawn_app};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};
use serde_json::json;

async fn empty_database(backend: Backend) -> (DatabaseConnection, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database(backend).await;
    let conn = db::connect(&url, 2, &StatementCounter::default()).await.expect("the database is reachable");
    (conn, dir)
}

async fn table_count(conn: &DatabaseConnection) -> usize {
    let sql = match conn.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
    };
    let row =
        conn.query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap() as usize
}

on_both_backends! {
    /// Every migration applies to an empty database, rolls back completely, and applies again.
    async fn migrations_apply_roll_back_and_apply_again(backend: Backend) {
        let (conn, _dir) = empty_database(backend).await;
        Migrator::up(&conn, None).await.expect("migrations apply to an empty database");
        assert_eq!(table_count(&conn).await, 19, "twelve tables, the audit log, three of webhooks, two of patient data and the catalogue version");
        Migrator::down(&conn, None).await.expect("migrations roll back");
        assert_eq!(table_count(&conn).await, 0);
        Migrator::up(&conn, None).await.expect("migrations apply again");
        assert_eq!(table_count(&conn).await, 19, "twelve tables, the audit log, three of webhooks, two of patient data and the catalogue version");
    }
}

on_both_backends! {
    /// Loading the demo data twice adds nothing the second time.
    async fn the_demo_loader_is_idempotent(backend: Backend) {
        let (conn, _dir) = empty_database(backend).await;
        db::migrate(&conn).await.unwrap();
        let first = demo::load(&conn, medtour::time::now()).await.expect("demo data loads");
        assert!(first.clinics >= 12, "at least 12 clinics, got {}", first.clinics);
        let counts = |conn: DatabaseConnection| async move {
            (
                entity::clinics::Entity::find().count(&conn).await.unwrap(),
                entity::treatment_packages::Entity::find().count(&conn).await.unwrap(),
                entity::doctors::Entity::find().count(&conn).await.unwrap(),
                entity::coa_markers::Entity::find().count(&conn).await.unwrap(),
            )
        };
        let before = counts(conn.clone()).await;
        let second = demo::load(&conn, medtour::time::now()).await.expect("loading again succeeds");
        assert_eq!((second.clinics, second.treatments), (0, 0));
        assert_eq!(counts(conn.clone()).await, before);
    }
}

on_both_backends! {
    /// The database itself refuses rows that break the domain's rules.
    async fn constraints_refuse_invalid_rows(backend: Backend) {
        let app = spawn_app(backend).await;
        let conn = &app.state.db;
        let clinic = entity::clinics::Entity::find().one(conn).await.unwrap().unwrap();
        let treatment = entity::treatments::Entity::find().one(conn).await.unwrap().unwrap();
        let package = |price: i64, source: &str, currency: &str| entity::treatment_packages::ActiveModel {
            clinic_id: Set(clinic.id),
            treatment_id: Set(treatment.id),
            name: Set("x".into()),
            cell_source: Set(source.into()),
            cell_count_millions: Set(50),
            administration_routes: Set(json!(["INTRAVENOUS"])),
            sessions: Set(1),
            stay_days: Set(2),
            price_minor: Set(price),
            currency_code: Set(currency.into()),
            price_usd_minor: Set(price.max(0)),
            inclusions: Set(json!([])),
            active: Set(true),
            ..Default::default()
        };
        assert!(package(-1, "ADIPOSE_MSC", "USD").insert(conn).await.is_err(), "negative price");
        assert!(package(100, "PLACENTA", "USD").insert(conn).await.is_err(), "unknown cell source");
        assert!(package(100, "ADIPOSE_MSC", "usd").insert(conn).await.is_err(), "lower-case currency");
        assert!(package(100, "ADIPOSE_MSC", "USD").insert(conn).await.is_ok(), "a valid package");

        let now = chrono::Utc::now();
        let partner = entity::partners::ActiveModel { name: Set("Constraint Partner".into()), created_at: Set(now), ..Default::default() }
            .insert(conn)
            .await
            .unwrap();
        let client = |role: &str, partner_id: Option<i32>, clinic_id: Option<i32>| entity::api_clients::ActiveModel {
            client_id: Set(format!("c-{}", uuid::Uuid::new_v4())),
            secret_hash: Set("x".into()),
            role: Set(role.into()),
            partner_id: Set(partner_id),
            clinic_id: Set(clinic_id),
            created_at: Set(now),
            ..Default::default()
        };
        assert!(client("AGENT", None, None).insert(conn).await.is_err(), "an agent without a partner");
        assert!(client("CLINIC", Some(partner.id), None).insert(conn).await.is_err(), "clinic staff of a partner");
        assert!(client("ROOT", None, None).insert(conn).await.is_err(), "an unknown role");
        let agent = client("AGENT", Some(partner.id), None).insert(conn).await.expect("a valid agent");

        let quote = |key: &str| entity::quotes::ActiveModel {
            partner_id: Set(partner.id),
            submitted_by: Set(agent.id),
            clinic_id: Set(clinic.id),
            treatment_id: Set(treatment.id),
            idempotency_key: Set(key.into()),
            request_fingerprint: Set("f".into()),
            status: Set("SUBMITTED".into()),
            version: Set(0),
            patient_age_years: Set(Some(40)),
            patient_country: Set(Some("US".into())),
            chronic_migraine_diagnosis: Set(Some(true)),
            headache_days_per_month: Set(Some(20)),
            treatments_tried: Set(Some(json!([]))),
            contraindications: Set(Some(json!([]))),
            eligibility_outcome: Set(Some("LIKELY_CANDIDATE".into())),
            eligibility_reasons: Set(Some(json!([]))),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        quote("key-1").insert(conn).await.expect("a first quote");
        assert!(quote("key-1").insert(conn).await.is_err(), "a second quote with the same partner and key");
        let mut bad_status = quote("key-2");
        bad_status.status = Set("LOST".into());
        assert!(bad_status.insert(conn).await.is_err(), "an unknown status");
        let mut minor = quote("key-3");
        minor.patient_age_years = Set(Some(12));
        assert!(minor.insert(conn).await.is_err(), "a patient under 18");
        let mut half_cipher = quote("key-4");
        half_cipher.medical_notes_ciphertext = Set(Some(vec![1, 2, 3]));
        assert!(half_cipher.insert(conn).await.is_err(), "ciphertext without its key id");
    }
}

on_both_backends! {
    /// A fresh server is ready and answers the treatments query over HTTP.
    async fn a_fresh_server_is_ready_and_lists_the_demo_treatments(backend: Backend) {
        let app = spawn_app(backend).await;
        let ready = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
        assert_eq!(ready.status().as_u16(), 200);
        let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200);

        let data = app.data("{ treatments { id slug name condition regulatoryNote } }", json!({})).await;
        let slugs: Vec<&str> = data["treatments"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
        assert!(slugs.contains(&"msc-chronic-migraine"), "{slugs:?}");
        assert_eq!(data["treatments"][0]["condition"].as_str().map(|s| !s.is_empty()), Some(true));
    }
}
