// The results explorer's entry: registers the chart components and the pages.
import "./charts/index.ts"
import "./pages/Explorer.ts"
