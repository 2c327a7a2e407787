// Databases and connection strings with passwords.
import type { SecretRule } from "../rule.js";
import { HEX, named } from "./define.js";

// user:password@host in a URL; the password is the secret.
const urlPassword = (id: string, description: string, schemes: string[]): SecretRule => ({
  id,
  description,
  regex: `(?:${schemes.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})://[^\\s:@/'"]{1,64}:([^\\s@/'"]{3,128})@[A-Za-z0-9.\\-_\\[\\]]+`,
  keywords: schemes.map((s) => `${s.toLowerCase()}://`),
  ignoreCase: true,
  entropy: 1.5,
  // `user:password@host` in documentation is a placeholder, not a credential.
  validate: (v) => !/^(?:password|passwd|pass|pwd|secret|changeme|\*+|x+)$/i.test(v),
});

export const databaseRules: SecretRule[] = [
  urlPassword("postgres-url-password", "PostgreSQL URL with password", ["postgres", "postgresql", "postgis", "pgsql"]),
  urlPassword("mysql-url-password", "MySQL / MariaDB URL with password", ["mysql", "mysql2", "mariadb", "mysqlx"]),
  urlPassword("mongodb-url-password", "MongoDB URL with password", ["mongodb", "mongodb+srv"]),
  urlPassword("redis-url-password", "Redis URL with password", ["redis", "rediss"]),
  urlPassword("amqp-url-password", "AMQP / RabbitMQ URL with password", ["amqp", "amqps"]),
  urlPassword("mssql-url-password", "SQL Server URL with password", ["mssql", "sqlserver"]),
  urlPassword("jdbc-url-password", "JDBC URL with credentials", ["jdbc:mysql", "jdbc:postgresql", "jdbc:sqlserver", "jdbc:oracle:thin", "jdbc:mariadb", "jdbc:db2"]),
  urlPassword("ftp-url-password", "FTP / SFTP URL with password", ["ftp", "ftps", "sftp"]),
  urlPassword("ldap-url-password", "LDAP URL with password", ["ldap", "ldaps"]),
  urlPassword("smtp-url-password", "SMTP URL with password", ["smtp", "smtps"]),
  urlPassword("clickhouse-url-password", "ClickHouse URL with password", ["clickhouse"]),
  urlPassword("cassandra-url-password", "Cassandra URL with password", ["cassandra"]),
  urlPassword("neo4j-url-password", "Neo4j URL with password", ["neo4j", "neo4j+s", "bolt"]),
  urlPassword("nats-url-password", "NATS URL with password", ["nats"]),
  urlPassword("kafka-url-password", "Kafka SASL URL with password", ["kafka"]),
  urlPassword("elasticsearch-url-password", "Elasticsearch URL with password", ["elasticsearch", "elastic"]),
  { id: "jdbc-password-parameter", description: "JDBC connection string password", regex: `jdbc:[a-z0-9]{1,32}:[^\\s'"]{0,256}[;?&]password=([^;&\\s'"]{4,})`, keywords: ["jdbc:"], ignoreCase: true, entropy: 1.5 },
  {
    id: "odbc-connection-password",
    description: "ODBC / ADO.NET connection string password",
    regex: `(?:server|data source|host)\\s*=[^;'"]{1,100};[^'"\\n]{0,200}?(?:password|pwd)\\s*=\\s*([^;'"\\s]{4,})`,
    keywords: ["password=", "pwd=", "password =", "pwd ="],
    ignoreCase: true,
    entropy: 2,
  },
  { id: "http-basic-auth-url", description: "HTTP URL with embedded password", regex: `https?://[A-Za-z0-9._%+-]{1,64}:([A-Za-z0-9._%+!$&*=~-]{6,128})@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}`, keywords: ["http://", "https://"], entropy: 2.5 },
  named("mongodb-atlas-private-key", "MongoDB Atlas API private key", ["mongodb_atlas", "atlas_private_key"], `${HEX(8)}-${HEX(4)}-${HEX(4)}-${HEX(4)}-${HEX(12)}`),
  named("redis-password", "Redis password", ["redis_password", "redis_pass", "requirepass"], "[^\\s'\"]{8,}", { entropy: 2.5 }),
  named("database-password", "Database password", ["db_password", "db_pass", "database_password", "postgres_password", "mysql_password", "mysql_root_password", "pgpassword", "mongo_password"], "[^\\s'\"]{6,}", { entropy: 2.2 }),
];
