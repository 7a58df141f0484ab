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
  };
}
