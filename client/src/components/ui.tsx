/**
 * The dashboard's small design system: layout and display components styled by `styles.css`
 * through CSS variables (colour, spacing, type), so both themes come from one set of classes.
 */
import { Joystick } from 'lucide-react';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card__header">
          {title && <h2 className="card__title">{title}</h2>}
          {actions && <div className="card__actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export type ButtonVariant = 'primary' | 'secondary' | 'ghost';

export function Button({
  variant = 'secondary',
  className,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  return <button type={type} className={`btn btn--${variant} ${className ?? ''}`} {...rest} />;
}

export type BadgeTone = 'neutral' | 'accent' | 'good' | 'warn' | 'bad' | 'live';

export function Badge({ tone = 'neutral', children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`badge badge--${tone}`}>{children}</span>;
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat" title={hint}>
      <div className="stat__value">{value}</div>
      <div className="stat__label">{label}</div>
    </div>
  );
}

/** A scrollable table wrapper, so wide tables scroll inside their card on a phone. */
export function Table({ caption, children }: { caption?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="table">
        {caption && <caption className="visually-hidden">{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export function EmptyState({
  icon = <Joystick />,
  title,
  children,
}: {
  /** A lucide icon: SVG, so it draws the same where no emoji font is installed. */
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty__icon" aria-hidden="true">
        {icon}
      </div>
      <p className="empty__title">{title}</p>
      {children && <div className="empty__body">{children}</div>}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="note note--bad" role="alert">
      {message}
    </div>
  );
}

/** Numbers the way the tables show them: integers plain, others with `digits` decimals. */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(digits);
}

export interface SegmentedOption {
  value: string;
  label: ReactNode;
}

/** A row of toggle buttons (one pressed), e.g. the game tabs of the leaderboards. */
export function Segmented({
  legend,
  options,
  value,
  onChange,
}: {
  legend: string;
  options: SegmentedOption[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <fieldset className="tabs">
      <legend className="visually-hidden">{legend}</legend>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={value === o.value}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}
