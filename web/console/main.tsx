import { render } from 'preact';
import { App } from './app';
import { showError, start } from './controller';
import './console.css';

render(<App />, document.getElementById('root')!);
start().catch(showError);
