//! Who may call the API: partners (the tenants of agents) and API clients with their role,
//! tenancy and an Argon2id hash of their secret.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::{index, one_of};
use crate::m20261127_000001_catalogue::Clinics;
use crate::vocab::ROLES;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000002_clients"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Partners::Table)
                .col(pk_auto(Partners::Id))
                .col(string_uniq(Partners::Name))
                .col(timestamp_with_time_zone(Partners::CreatedAt))
                .take(),
        )
        .await?;

        let role = || Expr::col(ApiClients::Role);
        let partner = || Expr::col(ApiClients::PartnerId);
        let clinic = || Expr::col(ApiClients::ClinicId);
        m.create_table(
            Table::create()
                .table(ApiClients::Table)
                .col(pk_auto(ApiClients::Id))
                .col(string_uniq(ApiClients::ClientId))
                .col(string(ApiClients::SecretHash))
                .col(string(ApiClients::Role))
                .col(integer_null(ApiClients::PartnerId))
                .col(integer_null(ApiClients::ClinicId))
                .col(string_null(ApiClients::Label))
                .col(timestamp_with_time_zone(ApiClients::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiClients::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from_tbl(ApiClients::Table)
                        .from_col(ApiClients::PartnerId)
                        .to_tbl(Partners::Table)
                        .to_col(Partners::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from_tbl(ApiClients::Table)
                        .from_col(ApiClients::ClinicId)
                        .to_tbl(Clinics::Table)
                        .to_col(Clinics::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .check(one_of("ck_api_clients_role", ApiClients::Role, &ROLES))
                // A client's tenancy follows from its role: agents and partners belong to one
                // partner, clinic staff to one clinic, admins to neither.
                .check((
                    "ck_api_clients_tenancy".to_owned(),
                    Expr::from(
                        Condition::any()
                            .add(
                                role().is_in(["PARTNER", "AGENT"]).and(partner().is_not_null()).and(clinic().is_null()),
                            )
                            .add(role().eq("CLINIC").and(clinic().is_not_null()).and(partner().is_null()))
                            .add(role().eq("ADMIN").and(clinic().is_null()).and(partner().is_null())),
                    ),
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_api_clients_partner", ApiClients::Table, &["partner_id"])).await?;
        m.create_index(index("ix_api_clients_clinic", ApiClients::Table, &["clinic_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ApiClients::Table).take()).await?;
        m.drop_table(Table::drop().table(Partners::Table).take()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
pub(crate) enum Partners {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum ApiClients {
    Table,
    Id,
    ClientId,
    SecretHash,
    Role,
    PartnerId,
    ClinicId,
    Label,
    CreatedAt,
    RevokedAt,
}
