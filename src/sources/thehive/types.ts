import type { AlertBase } from '../../model/alert.js';

/** The TheHive instance (the `thehive:` section), secrets resolved. */
export interface TheHiveConfig {
  url: string;
  api_key: string;
  organisation?: string;
  timeout: number;
  /** The major version: 5 (stage/status, addTags) or 4 (TheHive 4.1: read/imported, tags written as the full list). */
  version: 4 | 5;
  /** Most alerts (or cases) one query reads, page after page; beyond it the newest are kept and a warning says so. */
  max_items: number;
}

/** Which TheHive alerts (or cases) an alert looks at. */
export interface TheHiveFilter {
  object?: 'alert' | 'case';
  without_tags?: string[];
  severity?: number[];
  stage?: string[];
  status?: string[];
  tags?: string[];
  /** TheHive 4.1 alerts: whether they were marked read. */
  read?: boolean;
  /** TheHive 4.1 alerts: whether a case was created from them. */
  imported?: boolean;
  max_age?: number;
}

/** A mail to a case's reporter, its text chosen by a field's value. */
export interface FeedbackDef {
  recipient_tag: string;
  allowed_domains?: string[];
  choose_by: string;
  templates: Record<string, { title: string; message: string }>;
}

/** An alert over TheHive's queue: every matching TheHive alert (or case) is a key. */
export interface TheHiveAlertDef extends AlertBase {
  source: 'thehive';
  thehive: TheHiveFilter;
  feedback?: FeedbackDef;
  /** Template of a tag added to the TheHive alert after each delivered notice (e.g. notified:{{reason}}). */
  write_back_tag?: string;
}
