import { sql } from 'drizzle-orm';
import type { SecretRepository } from '../../core/ports';
import { queryRows, type Db } from './rows';

export function secretRepository(db: Db): SecretRepository {
  return {
    async get(name) {
      const [row] = await queryRows(db, sql`select value from instance_secrets where name = ${name}::text`);
      return row && typeof row.value === 'string' ? row.value : null;
    },

    async getOrCreate(name, candidate) {
      // A concurrent first writer that commits while we run is invisible to this statement's snapshot (its
      // insert makes ours do nothing, yet the select cannot see it), so a second plain read settles that case.
      for (let attempt = 0; attempt < 2; attempt++) {
        const [row] = await queryRows(
          db,
          sql`with inserted as (
            insert into instance_secrets (name, value) values (${name}::text, ${candidate}::text)
            on conflict (name) do nothing
            returning value
          )
          select value from inserted
          union all
          select value from instance_secrets where name = ${name}::text`,
        );
        if (row && typeof row.value === 'string') return row.value;
      }
      throw new Error(`instance secret ${name} could not be stored or read`);
    },

    async putAll(entries) {
      const rows = Object.entries(entries).map(([name, value]) => sql`(${name}::text, ${value}::text)`);
      if (rows.length === 0) return;
      // One statement, so a key rotation never leaves the new private key stored without the old public key kept.
      await queryRows(
        db,
        sql`insert into instance_secrets (name, value) values ${sql.join(rows, sql`, `)}
          on conflict (name) do update set value = excluded.value, created_at = now()`,
      );
    },
  };
}
