#!/usr/bin/env bash
# Generates a migration from the difference between the entities and a database migrated to the
# current head. Usage: npm run migration:generate -- Name   (DATABASE_URL = a scratch database)
set -euo pipefail
name=${1:?usage: npm run migration:generate -- Name}
: "${DATABASE_URL:?set DATABASE_URL to a scratch database}"
out=node_modules/.cache/migration-source
rm -rf "$out"
npx tsc --outDir "$out" --rootDir . --module commonjs --target ES2022 --experimentalDecorators \
  --emitDecoratorMetadata --esModuleInterop --skipLibCheck src/database/data-source.ts
node -e "require('./$out/src/database/data-source').runMigrations(process.env.DATABASE_URL).then((r) => console.log('migrated', r))"
npx typeorm migration:generate -d "$out/src/database/data-source.js" --pretty "src/database/migrations/$name"
npx prettier --write src/database/migrations >/dev/null
echo "Now add the new class to src/database/migrations/index.ts"
