//! Indicator recipes submitted to a running hub, and their life cycle
//! draft → review → approved → retired, each step recorded with who and when (and in the audit
//! log). Only approved recipes are computed in official runs and published. The recipe's text is
//! kept as submitted (its hash is the one results carry); checking it against the definitions is
//! the engine's job, before `submit_recipe` is called.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use serde::Serialize;
use sqlx::Row;

const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS recipes (
        hash TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        file TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL,
        submitted_by TEXT NOT NULL,
        submitted_at TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS recipe_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT NOT NULL,
        status TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL
    )",
    "CREATE TRIGGER IF NOT EXISTS recipe_events_append_only_u BEFORE UPDATE ON recipe_events
        BEGIN SELECT RAISE(ABORT, 'recipe_events is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS recipe_events_append_only_d BEFORE DELETE ON recipe_events
        BEGIN SELECT RAISE(ABORT, 'recipe_events is append-only'); END",
];

/// Where a recipe is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipeStatus {
    /// Written, not yet submitted for review; may be tried (`indicators try`).
    Draft,
    /// Submitted for review.
    Review,
    /// Approved: computed in official runs and published.
    Approved,
    /// No longer computed or published (its results stay in earlier runs).
    Retired,
}

impl RecipeStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipeStatus::Draft => "draft",
            RecipeStatus::Review => "review",
            RecipeStatus::Approved => "approved",
            RecipeStatus::Retired => "retired",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<RecipeStatus> {
        [
            RecipeStatus::Draft,
            RecipeStatus::Review,
            RecipeStatus::Approved,
            RecipeStatus::Retired,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Whether a recipe may move from `self` to `to`: forward one step, back from review to
    /// draft (changes asked for), and retired from any state.
    pub fn may_become(self, to: RecipeStatus) -> bool {
        use RecipeStatus::*;
        matches!(
            (self, to),
            (Draft, Review)
                | (Review, Approved)
                | (Review, Draft)
                | (Draft | Review | Approved, Retired)
        )
    }
}

/// A recipe as the catalogue holds it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRecipe {
    /// Content hash (the one results carry).
    pub hash: String,
    /// Indicator id.
    pub id: String,
    /// Recipe version.
    pub version: String,
    /// File name as submitted.
    pub file: String,
    /// The recipe's text.
    pub text: String,
    /// Where it is in its life cycle.
    pub status: RecipeStatus,
    /// Who submitted it.
    pub submitted_by: String,
    /// When.
    pub submitted_at: String,
}

/// One step of a recipe's life cycle.
#[derive(Debug, Clone, Serialize)]
pub struct RecipeEvent {
    /// The recipe's hash.
    pub hash: String,
    /// The state it entered.
    pub status: RecipeStatus,
    /// Who moved it.
    pub actor: String,
    /// When.
    pub at: String,
    /// Why (free text).
    pub note: String,
}

impl Hub {
    async fn ensure_recipes(&self) -> Result<(), StoreError> {
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Record a new recipe text as a draft (the caller has checked it). Submitting the same text
    /// again is a conflict naming its state.
    pub async fn submit_recipe(
        &self,
        recipe: (&str, &str, &str, &str, &str),
        actor: &str,
    ) -> Result<StoredRecipe, StoreError> {
        let (hash, id, version, file, text) = recipe;
        self.ensure_recipes().await?;
        if let Some(existing) = self.recipe(hash).await? {
            return Err(StoreError::Conflict(format!(
                "receptet {id} ({hash}) finns redan, status {} / the recipe exists already",
                existing.status.as_str()
            )));
        }
        let at = time::fmt(time::now_utc());
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO recipes (hash, id, version, file, text, status, submitted_by, submitted_at)
             VALUES (?, ?, ?, ?, ?, 'draft', ?, ?)",
        )
        .bind(hash)
        .bind(id)
        .bind(version)
        .bind(file)
        .bind(text)
        .bind(actor)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        event(
            &mut tx,
            hash,
            RecipeStatus::Draft,
            actor,
            &at,
            "inlämnat / submitted",
        )
        .await?;
        let details = format!("{id} v{version} {hash}: draft");
        let head = audit::append(&mut tx, key, actor, "recipes.submit", id, &details).await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        self.recipe(hash)
            .await?
            .ok_or_else(|| StoreError::Conflict("receptet försvann / the recipe vanished".into()))
    }

    /// Move a recipe (by hash, or by id: its newest recipe not retired) to `to`, recording who,
    /// when and why. Approving a recipe retires the id's earlier approved one.
    pub async fn move_recipe(
        &self,
        hash_or_id: &str,
        to: RecipeStatus,
        actor: &str,
        note: &str,
    ) -> Result<StoredRecipe, StoreError> {
        self.ensure_recipes().await?;
        let recipe = match self.recipe(hash_or_id).await? {
            Some(r) => r,
            None => self
                .recipes()
                .await?
                .into_iter()
                .find(|r| r.id == hash_or_id && r.status != RecipeStatus::Retired)
                .ok_or_else(|| {
                    StoreError::Conflict(format!(
                        "inget recept {hash_or_id} som inte är tillbakadraget / no such recipe that is not retired"
                    ))
                })?,
        };
        if !recipe.status.may_become(to) {
            return Err(StoreError::Conflict(format!(
                "{} ({}) kan inte gå från {} till {} / a recipe cannot move from {} to {}",
                recipe.id,
                recipe.hash,
                recipe.status.as_str(),
                to.as_str(),
                recipe.status.as_str(),
                to.as_str()
            )));
        }
        let at = time::fmt(time::now_utc());
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if to == RecipeStatus::Approved {
            let earlier: Vec<String> = sqlx::query(
                "SELECT hash FROM recipes WHERE id = ? AND status = 'approved' AND hash <> ?",
            )
            .bind(&recipe.id)
            .bind(&recipe.hash)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
            for h in earlier {
                sqlx::query("UPDATE recipes SET status = 'retired' WHERE hash = ?")
                    .bind(&h)
                    .execute(&mut *tx)
                    .await?;
                let why = format!("ersatt av / replaced by {}", recipe.hash);
                event(&mut tx, &h, RecipeStatus::Retired, actor, &at, &why).await?;
            }
        }
        sqlx::query("UPDATE recipes SET status = ? WHERE hash = ?")
            .bind(to.as_str())
            .bind(&recipe.hash)
            .execute(&mut *tx)
            .await?;
        event(&mut tx, &recipe.hash, to, actor, &at, note).await?;
        let details = format!(
            "{} v{} {}: {} -> {}",
            recipe.id,
            recipe.version,
            recipe.hash,
            recipe.status.as_str(),
            to.as_str()
        );
        let head = audit::append(&mut tx, key, actor, "recipes.move", &recipe.id, &details).await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        self.recipe(&recipe.hash)
            .await?
            .ok_or_else(|| StoreError::Conflict("receptet försvann / the recipe vanished".into()))
    }

    /// One recipe by hash.
    pub async fn recipe(&self, hash: &str) -> Result<Option<StoredRecipe>, StoreError> {
        Ok(self.recipes().await?.into_iter().find(|r| r.hash == hash))
    }

    /// Every submitted recipe, newest first.
    pub async fn recipes(&self) -> Result<Vec<StoredRecipe>, StoreError> {
        self.ensure_recipes().await?;
        let rows = sqlx::query(
            "SELECT hash, id, version, file, text, status, submitted_by, submitted_at FROM recipes
             ORDER BY submitted_at DESC, hash",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoredRecipe {
                hash: r.get(0),
                id: r.get(1),
                version: r.get(2),
                file: r.get(3),
                text: r.get(4),
                status: RecipeStatus::parse(&r.get::<String, _>(5))
                    .unwrap_or(RecipeStatus::Retired),
                submitted_by: r.get(6),
                submitted_at: r.get(7),
            })
            .collect())
    }

    /// The approved recipes (at most one per id).
    pub async fn approved_recipes(&self) -> Result<Vec<StoredRecipe>, StoreError> {
        Ok(self
            .recipes()
            .await?
            .into_iter()
            .filter(|r| r.status == RecipeStatus::Approved)
            .collect())
    }

    /// A recipe's life cycle, oldest step first.
    pub async fn recipe_events(&self, hash: &str) -> Result<Vec<RecipeEvent>, StoreError> {
        self.ensure_recipes().await?;
        let rows = sqlx::query(
            "SELECT hash, status, actor, at, note FROM recipe_events WHERE hash = ? ORDER BY seq",
        )
        .bind(hash)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| RecipeEvent {
                hash: r.get(0),
                status: RecipeStatus::parse(&r.get::<String, _>(1))
                    .unwrap_or(RecipeStatus::Retired),
                actor: r.get(2),
                at: r.get(3),
                note: r.get(4),
            })
            .collect())
    }
}

async fn event(
    tx: &mut sqlx::SqliteConnection,
    hash: &str,
    status: RecipeStatus,
    actor: &str,
    at: &str,
    note: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO recipe_events (hash, status, actor, at, note) VALUES (?, ?, ?, ?, ?)")
        .bind(hash)
        .bind(status.as_str())
        .bind(actor)
        .bind(at)
        .bind(note)
        .execute(tx)
        .await?;
    Ok(())
}
