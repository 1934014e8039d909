// Styles shared by the explorer's pages: readable on a laptop and at phone width.
import { css } from "lit"

export const pageStyles = css`
  :host {
    display: block;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  h2 {
    margin: 0.2rem 0 0.4rem;
    font-size: 1.3rem;
  }
  h3 {
    margin: 1.2rem 0 0.6rem;
    font-size: 1.05rem;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem 1.2rem;
    margin: 0 0 0.8rem;
    color: #57606a;
  }
  .meta dt {
    font-weight: 600;
    display: inline;
  }
  .meta dd {
    display: inline;
    margin: 0 0 0 0.3rem;
  }
  .table-wrap {
    overflow-x: auto;
    background: #fff;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    margin-bottom: 1rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.85rem;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: 0.35rem 0.6rem;
    border-bottom: 1px solid #eaeef2;
    text-align: right;
    white-space: nowrap;
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  thead th {
    background: #f6f8fa;
    position: sticky;
    top: 0;
  }
  td.best {
    background: #dafbe1;
    font-weight: 600;
  }
  td.better {
    color: #1a7f37;
    font-weight: 600;
  }
  td.worse {
    color: #cf222e;
    font-weight: 600;
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr));
    gap: 1rem;
  }
  .charts > * {
    background: #fff;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    padding: 0.5rem;
    min-width: 0;
  }
  .policies {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem 0.9rem;
    margin: 0 0 0.8rem;
    border: 0;
    padding: 0;
  }
  .policies legend {
    font-weight: 600;
    margin-right: 0.5rem;
    float: left;
  }
  .error {
    background: #ffebe9;
    border: 1px solid #ff8182;
    border-radius: 6px;
    padding: 0.8rem 1rem;
    color: #82071e;
  }
  .loading {
    color: #57606a;
  }
  details pre {
    overflow-x: auto;
    font-size: 0.75rem;
    background: #fff;
    padding: 0.5rem;
    border: 1px solid #d0d7de;
  }
  label {
    cursor: pointer;
  }
  select {
    font: inherit;
    padding: 0.2rem;
    max-width: 100%;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem 1.2rem;
    align-items: center;
    margin-bottom: 0.8rem;
  }
`
