//! The catalogue version: one row whose number every catalogue write advances in its own
//! transaction, so that a cached catalogue answer can name the version it was read at. On
//! PostgreSQL a trigger announces each new version on the `medtour_catalogue` channel when
//! the write commits (NOTIFY is transactional), and every replica listening hears it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000401_catalogue_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CatalogueVersion::Table)
                .col(ColumnDef::new(CatalogueVersion::Id).integer().not_null().primary_key())
                .col(ColumnDef::new(CatalogueVersion::Version).big_integer().not_null())
                .check(("ck_catalogue_version_one_row".to_owned(), Expr::col(CatalogueVersion::Id).eq(1)))
                .take(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(CatalogueVersion::Table)
                .columns([CatalogueVersion::Id, CatalogueVersion::Version])
                .values_panic([1.into(), 1.into()])
                .take(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            let db = m.get_connection();
            db.execute_unprepared(
                "CREATE FUNCTION medtour_catalogue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN PERFORM pg_notify('medtour_catalogue', NEW.version::text); RETURN NEW; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER catalogue_version_notify AFTER UPDATE ON catalogue_version
                 FOR EACH ROW EXECUTE FUNCTION medtour_catalogue_notify()",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CatalogueVersion::Table).take()).await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS medtour_catalogue_notify()").await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CatalogueVersion {
    Table,
    Id,
    Version,
}
