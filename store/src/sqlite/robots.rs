//! `robots` table: the robots.txt cache.

use rusqlite::{Connection, OptionalExtension, params};

use super::values::{parse_ts, ts, u16_from};
use crate::{RobotsEntry, StoreError};
use pharmwatch_model::Timestamp;

pub(super) fn put(conn: &Connection, e: &RobotsEntry) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO robots (host, fetched_at, expires_at, status, body) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(host) DO UPDATE SET fetched_at = excluded.fetched_at,
            expires_at = excluded.expires_at, status = excluded.status, body = excluded.body",
        params![e.host, ts(e.fetched_at), ts(e.expires_at), e.status, e.body],
    )?;
    Ok(())
}

pub(super) fn get(
    conn: &Connection,
    host: &str,
    now: Timestamp,
) -> Result<Option<RobotsEntry>, StoreError> {
    type Raw = (String, String, Option<i64>, Vec<u8>);
    let raw: Option<Raw> = conn
        .query_row(
            "SELECT fetched_at, expires_at, status, body FROM robots
             WHERE host = ?1 AND expires_at > ?2",
            params![host, ts(now)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    raw.map(|(fetched, expires, status, body)| {
        Ok(RobotsEntry {
            host: host.to_string(),
            fetched_at: parse_ts(&fetched)?,
            expires_at: parse_ts(&expires)?,
            status: u16_from(status, "robots status")?,
            body,
        })
    })
    .transpose()
}
