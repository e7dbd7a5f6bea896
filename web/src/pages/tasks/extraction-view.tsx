import { useI18n, type MessageKey } from "../../lib/i18n";

type Fields = Record<string, unknown>;
const ORDER = ["entities", "dates", "amounts", "emails", "urls", "phone_numbers"];

function columnsOf(items: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const item of items) for (const key of Object.keys(item)) seen.add(key);
  return [...seen];
}

/** Extracted fields as they are meant to be read: lists for values, tables for records. */
export function ExtractionView({ fields }: { fields: Fields }) {
  const { t } = useI18n();
  const names = [...ORDER.filter((k) => k in fields), ...Object.keys(fields).filter((k) => !ORDER.includes(k))];
  const label = (name: string) => {
    const key = `extraction.${name}` as MessageKey;
    return t(key) === key ? name : t(key);
  };
  return (
    <div className="flex flex-col gap-4">
      {names.map((name) => {
        const value = fields[name];
        const items = Array.isArray(value) ? value : [value];
        return (
          <section key={name} aria-label={label(name)}>
            <h3 className="mb-1 text-sm font-semibold">{label(name)}</h3>
            {items.length === 0 ? (
              <p className="text-sm text-muted-foreground">{t("extraction.none")}</p>
            ) : typeof items[0] === "object" && items[0] !== null ? (
              <table className="w-full table-fixed text-sm">
                <thead className="text-left text-muted-foreground">
                  <tr>
                    {columnsOf(items as Record<string, unknown>[]).map((c) => (
                      <th key={c} scope="col" className="border-b py-1 pr-2 font-medium">{label(c)}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {(items as Record<string, unknown>[]).map((row, i) => (
                    <tr key={i} className="border-b last:border-0">
                      {columnsOf(items as Record<string, unknown>[]).map((c) => (
                        <td key={c} className="py-1 pr-2 break-words">{row[c] === null || row[c] === undefined ? "—" : String(row[c])}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <ul className="flex flex-wrap gap-2">
                {items.map((item, i) => (
                  <li key={i} className="rounded-md border px-2 py-0.5 text-sm break-all">{String(item)}</li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
