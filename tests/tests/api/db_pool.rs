//! The connection pool hands a connection back without a round trip to the database once
//! its statement has completed (the sqlx patch in `vendor/README.md`), but a transaction
//! dropped without a commit is still rolled back as its connection goes back, so its locks
//! do not outlive it.

use entity::clinics;
use medtour_tests::{Backend, on_both_backends};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use crate::catalogue_fixtures::catalogue_app;

on_both_backends! {
    /// A transaction that locked a row and was dropped uncommitted leaves the row to the
    /// next writer at once (on PostgreSQL within a 1 s lock timeout; on SQLite within its
    /// busy timeout), and its change is gone.
    async fn a_dropped_transaction_releases_its_locks_when_its_connection_returns(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        let clinic = clinics::Entity::find().order_by_asc(clinics::Column::Id).one(db).await.expect("read").expect("a clinic");
        let rename = |name: &'static str| {
            clinics::Entity::update_many()
                .col_expr(clinics::Column::Name, Expr::value(name))
                .filter(sea_orm::ColumnTrait::eq(&clinics::Column::Id, clinic.id))
        };

        let dropped = db.begin().await.expect("begin");
        rename("Never committed").exec(&dropped).await.expect("locks the row");
        drop(dropped);

        // Another pool, so that nothing but the dropped transaction's own rollback can free
        // the row (a later statement on the same connection would also flush it).
        let other = medtour::db::connect(&app.database_url, 1, &Default::default()).await.expect("another pool");
        let next = other.begin().await.expect("begin");
        if other.get_database_backend() == DbBackend::Postgres {
            next.execute_unprepared("SET LOCAL lock_timeout = '1s'").await.expect("set");
        }
        rename("Committed").exec(&next).await.expect("the row is no longer locked");
        next.commit().await.expect("commit");

        let now = clinics::Entity::find_by_id(clinic.id).one(db).await.expect("read").expect("the clinic");
        assert_eq!(now.name, "Committed");
    }
}
