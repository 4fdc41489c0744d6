//! Accounts, browser sessions, API tokens and failed sign-ins. The store keeps only hashes: password
//! hashes made by the server (argon2id), and SM3 hashes of session and API tokens, so a copy of the
//! database does not let anyone sign in.

use crate::audit::append;
use crate::model::Role;
use crate::{Error, Result, Store, is_foreign_key_violation, is_unique_violation, now};
use sqlx::AssertSqlSafe;
use std::fmt;

/// An account as the server sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// What it may do.
    pub role: Role,
    /// The department a department head (or staff member) belongs to.
    pub department_id: Option<i64>,
}

/// A new account.
pub struct NewUser<'a> {
    /// Sign-in name.
    pub username: &'a str,
    /// Name shown.
    pub display_name: &'a str,
    /// An argon2id PHC string, made by the server.
    pub password_hash: &'a str,
    /// What it may do.
    pub role: Role,
    /// Its department.
    pub department_id: Option<i64>,
}

impl fmt::Debug for NewUser<'_> {
    /// Without the password hash: it never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("department_id", &self.department_id)
            .finish_non_exhaustive()
    }
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose.
    pub user: User,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
}

/// An API token's record (the token itself is shown once, at creation).
#[derive(Debug, Clone)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// What it is for (`inspector laptop`).
    pub label: String,
    /// Unix seconds.
    pub created_at: i64,
}

type UserRow = (i64, String, String, String, Option<i64>);

fn user(r: UserRow) -> Result<User> {
    Ok(User {
        id: r.0,
        username: r.1,
        display_name: r.2,
        role: r.3.parse().map_err(Error::Invalid)?,
        department_id: r.4,
    })
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.department_id";

impl Store {
    /// Create an account. The user name must be new.
    pub async fn create_user(&self, actor: &str, new: &NewUser<'_>) -> Result<i64> {
        let username = new.username.trim();
        if username.is_empty() || username.len() > 64 || username.chars().any(char::is_whitespace) {
            return Err(Error::Invalid(
                "a user name is 1–64 characters without spaces".into(),
            ));
        }
        if new.role == Role::DeptHead && new.department_id.is_none() {
            return Err(Error::Invalid(
                "a department head needs a department".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let id: i64 = match sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, department_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(username)
        .bind(new.display_name.trim())
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(new.department_id)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Conflict(format!("the user name {username:?} is taken")));
            }
            Err(e) if is_foreign_key_violation(&e) => {
                return Err(Error::Invalid("no such department".into()));
            }
            Err(e) => return Err(e.into()),
        };
        let detail = serde_json::json!({
            "username": username, "role": new.role.as_str(), "department_id": new.department_id,
        });
        append(
            &mut tx,
            actor,
            "user.create",
            &format!("user:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How many accounts exist (the first start offers to create one when there are none).
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// An active account and its password hash, for signing in.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let row: Option<(i64, String, String, String, Option<i64>, String)> = sqlx::query_as(
            AssertSqlSafe(format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1 AND u.active = 1")),
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((user((r.0, r.1, r.2, r.3, r.4))?, r.5)))
            .transpose()
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.username"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(user).collect()
    }

    /// Record a failed sign-in for throttling.
    pub async fn login_failed(&self, username: &str) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
            .bind(username)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed sign-ins for `username` since `since` (Unix seconds).
    pub async fn login_failures_since(&self, username: &str, since: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2",
        )
        .bind(username)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Forget failed sign-ins after a good one.
    pub async fn login_succeeded(&self, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Open a session for `user_id`, identified by the hash of its cookie token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        lifetime_s: i64,
    ) -> Result<()> {
        let t = now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(t)
        .bind(t.saturating_add(lifetime_s))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session whose cookie token hashes to `token_hash`.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row: Option<(i64, String, String, String, Option<i64>, String)> =
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1"
            )))
            .bind(token_hash)
            .bind(now())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Session {
                user: user((r.0, r.1, r.2, r.3, r.4))?,
                csrf: r.5,
            })
        })
        .transpose()
    }

    /// End a session (sign out).
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Register an API token (its hash) for `user_id`.
    pub async fn create_api_token(
        &self,
        actor: &str,
        user_id: i64,
        label: &str,
        token_hash: &str,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(label)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                Error::Invalid("no such user".into())
            } else {
                e.into()
            }
        })?;
        let detail = serde_json::json!({ "user_id": user_id, "label": label });
        append(
            &mut tx,
            actor,
            "token.create",
            &format!("token:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The account behind a live API token, and the token's label.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<(User, String)>> {
        let row: Option<(i64, String, String, String, Option<i64>, String)> =
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS}, t.label FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked = 0 AND u.active = 1"
            )))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((user((r.0, r.1, r.2, r.3, r.4))?, r.5)))
            .transpose()
    }
}
