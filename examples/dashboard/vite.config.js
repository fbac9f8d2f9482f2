import { exampleConfig } from '../vite-config.js'

export default exampleConfig()
