//! On PostgreSQL, `clinics.published` again: a read-only mirror of `status = 'PUBLISHED'`,
//! kept by a trigger, for tools written against wave 1's flag — PostGraphile in the
//! side-by-side benchmark (`../shared/bench/peer-compare.sh`) filters on it, and its
//! catalogue-copying script still writes it. The API never reads or writes the column; a row
//! inserted with `published` true and no status of its own is taken as PUBLISHED.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000402_published_mirror"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared("ALTER TABLE clinics ADD COLUMN published boolean NOT NULL DEFAULT false").await?;
        db.execute_unprepared("UPDATE clinics SET published = (status = 'PUBLISHED')").await?;
        db.execute_unprepared(
            "CREATE FUNCTION medtour_clinic_published() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF TG_OP = 'INSERT' AND NEW.published AND NEW.status = 'DRAFT' THEN NEW.status := 'PUBLISHED'; END IF;
               NEW.published := (NEW.status = 'PUBLISHED');
               RETURN NEW;
             END $$",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER clinics_published BEFORE INSERT OR UPDATE ON clinics
             FOR EACH ROW EXECUTE FUNCTION medtour_clinic_published()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS clinics_published ON clinics").await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS medtour_clinic_published()").await?;
        db.execute_unprepared("ALTER TABLE clinics DROP COLUMN IF EXISTS published").await?;
        Ok(())
    }
}
